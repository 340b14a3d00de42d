// The leaklint extension: runs `leaklint lsp` as the language server for JavaScript and
// TypeScript files, passes the `leaklint.*` settings to it (at start as initializationOptions,
// later as workspace/didChangeConfiguration), shows its messages in the "leaklint" output
// channel, and restarts it when the binary or the `leaklint.path` setting changes.
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

const SECTION = "leaklint";
const EXE = process.platform === "win32" ? "leaklint.exe" : "leaklint";

let client: LanguageClient | undefined;
let watcher: fs.FSWatcher | undefined;
let output: vscode.OutputChannel;

/** Platform package suffixes of the npm packages, best first (see npm/leaklint/bin). */
function platformPackages(): string[] {
  const { platform, arch } = process;
  if (platform === "linux") {
    return [`linux-${arch}-gnu`, `linux-${arch}-musl`];
  }
  return [`${platform}-${arch}`];
}

/**
 * The binary to run: the `leaklint.path` setting; else the binary bundled in this extension
 * (`server/`, copied from the npm platform package when a platform-specific VSIX is built);
 * else the one a workspace folder installed with `npm i -D leaklint`; else `leaklint` on PATH.
 */
function findBinary(context: vscode.ExtensionContext): string {
  const configured = vscode.workspace.getConfiguration(SECTION).get<string>("path", "").trim();
  if (configured) {
    return configured;
  }
  const bundled = path.join(context.extensionPath, "server", EXE);
  if (fs.existsSync(bundled)) {
    return bundled;
  }
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const suffix of platformPackages()) {
      const candidate = path.join(
        folder.uri.fsPath,
        "node_modules",
        "@leaklint",
        `cli-${suffix}`,
        "bin",
        EXE,
      );
      if (fs.existsSync(candidate)) {
        return candidate;
      }
    }
  }
  return EXE;
}

/** The settings object the server reads (src/lsp/settings.rs). */
function serverSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION);
  return {
    rules: config.get("rules", {}),
    run: config.get("run", "onType"),
    debounceMs: config.get("debounceMs", 0),
    reportUnusedDisableDirectives: config.get("reportUnusedDisableDirectives", false),
    minConfidence: config.get("minConfidence", null),
  };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const command = findBinary(context);
  output.appendLine(`starting ${command} lsp`);
  const serverOptions: ServerOptions = {
    command,
    args: ["lsp"],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "javascript" },
      { scheme: "file", language: "javascriptreact" },
      { scheme: "file", language: "typescript" },
      { scheme: "file", language: "typescriptreact" },
    ],
    initializationOptions: serverSettings(),
    // Sends {"leaklint": {...}} on every change of the section; the server reads that key.
    synchronize: { configurationSection: SECTION },
    outputChannel: output,
  };
  client = new LanguageClient("leaklint", "leaklint", serverOptions, clientOptions);
  await client.start();
  watchBinary(context, command);
}

async function stop(): Promise<void> {
  watcher?.close();
  watcher = undefined;
  const running = client;
  client = undefined;
  await running?.stop();
}

async function restart(context: vscode.ExtensionContext, why: string): Promise<void> {
  output.appendLine(`restarting: ${why}`);
  await stop();
  await start(context);
}

/** Restarts the server when its binary file is replaced (an upgrade, a rebuild). */
function watchBinary(context: vscode.ExtensionContext, command: string): void {
  if (!path.isAbsolute(command) || !fs.existsSync(command)) {
    return; // found on PATH: nothing to watch
  }
  let pending: NodeJS.Timeout | undefined;
  watcher = fs.watch(command, () => {
    // A replacement arrives as several events; restart once it has settled.
    clearTimeout(pending);
    pending = setTimeout(() => {
      void restart(context, `${command} changed`);
    }, 500);
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("leaklint");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("leaklint.restart", () => restart(context, "command")),
    vscode.commands.registerCommand("leaklint.showOutput", () => output.show()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.path`)) {
        void restart(context, "leaklint.path changed");
      }
    }),
  );
  try {
    await start(context);
  } catch (error) {
    output.appendLine(`cannot start the server: ${error}`);
    void vscode.window.showErrorMessage(
      "leaklint: cannot start `leaklint lsp`. Install it (`npm i -D leaklint`) or set " +
        "leaklint.path; see the leaklint output.",
    );
  }
}

export async function deactivate(): Promise<void> {
  await stop();
}
