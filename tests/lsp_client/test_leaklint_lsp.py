"""`leaklint lsp` driven by pytest-lsp, a real LSP client library, with the capabilities recorded
from real editors: Neovim 0.11 (pull diagnostics), Neovim 0.7, VS Code 1.65 and Emacs 29.1
(push).

Run by tests/lsp_editors.rs, which installs pytest-lsp in a throwaway virtual environment and
passes the binary in LEAKLINT.
"""
import asyncio
import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

LEAKLINT = os.environ["LEAKLINT"]

LEAKY = """const express = require('express');
const { EventEmitter } = require('events');
const bus = new EventEmitter();
const app = express();
app.get('/wait', (req, res) => {
  bus.on('done', () => res.end('ok'));
});
"""


@pytest_lsp.fixture(
    params=["neovim@v0.11.0", "neovim@v0.7.0", "visual_studio_code@v1.65.2", "emacs@v29.1"],
    config=ClientServerConfig(server_command=[LEAKLINT, "lsp"]),
)
async def client(request, lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    lsp_client.registrations = []

    # What an editor does with the server's request to watch leaklint.toml (VS Code declares
    # dynamic registration of file watchers).
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        lsp_client.registrations.extend(params.registrations)

    params = types.InitializeParams(
        capabilities=client_capabilities(request.param),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
    )
    result = await lsp_client.initialize_session(params)
    lsp_client.root = root
    lsp_client.pull = params.capabilities.text_document.diagnostic is not None
    lsp_client.server_capabilities = result.capabilities
    yield
    await lsp_client.shutdown_session()


async def diagnostics(client: LanguageClient, uri: str):
    if client.pull:
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert report.kind == "full"
        return report.items
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[uri]


async def test_diagnostics_code_actions_hover_and_edits(client: LanguageClient):
    assert (client.server_capabilities.diagnostic_provider is not None) == client.pull
    assert client.server_capabilities.position_encoding == "utf-16"
    path: pathlib.Path = client.root / "src" / "app.js"
    path.parent.mkdir()
    path.write_text(LEAKY)
    uri = path.as_uri()

    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="javascript", version=1, text=LEAKY)
        )
    )
    diags = await diagnostics(client, uri)
    print("DIAGNOSTICS", [(d.code, d.range.start.line, d.range.start.character) for d in diags])
    assert [d.code for d in diags] == ["listener-leak"]
    d = diags[0]
    assert (d.range.start.line, d.range.start.character) == (5, 2)
    assert d.source == "leaklint"
    assert d.severity == types.DiagnosticSeverity.Error
    assert d.code_description.href.endswith("README.md#listener-leak")
    assert len(d.related_information) == 2

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=d.range,
            context=types.CodeActionContext(diagnostics=[d]),
        )
    )
    titles = [a.title for a in actions or []]
    print("CODE ACTIONS", titles)
    assert titles == ["Disable listener-leak for this line", "Disable listener-leak for this file"]
    edit = actions[0].edit.changes[uri][0]
    assert edit.new_text == "  // leaklint-disable-next-line listener-leak -- \n"

    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=5, character=4),
        )
    )
    assert hover.contents.value.startswith("# listener-leak\n")

    # An incremental edit fixes it: `bus.on` becomes `res.on`.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=5, character=2), end=types.Position(line=5, character=5)
                    ),
                    text="res",
                )
            ],
        )
    )
    diags = await diagnostics(client, uri)
    print("AFTER CHANGE", diags)
    assert len(diags) == 0

    # leaklint.toml changes: the open file is linted again with the new severity.
    (client.root / "leaklint.toml").write_text('[rules]\nlistener-leak = "warn"\n')
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=LEAKY)],
        )
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=(client.root / "leaklint.toml").as_uri(), type=types.FileChangeType.Created)
            ]
        )
    )
    want = [("listener-leak", types.DiagnosticSeverity.Warning)]
    if client.pull:
        diags = await diagnostics(client, uri)  # answered once the lint after the reload is done
    else:
        # Pushed: the lint of version 3 may come before the one after the reload.
        for _ in range(500):
            diags = client.diagnostics.get(uri, [])
            if [(d.code, d.severity) for d in diags] == want:
                break
            await asyncio.sleep(0.02)
    assert [(d.code, d.severity) for d in diags] == want

    watchers = [r.method for r in client.registrations]
    print("REGISTRATIONS", watchers)
    dynamic = client.capabilities.workspace.did_change_watched_files
    if dynamic is not None and dynamic.dynamic_registration:
        assert watchers == ["workspace/didChangeWatchedFiles"]
    else:
        assert watchers == []
