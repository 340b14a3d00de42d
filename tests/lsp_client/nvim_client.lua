-- leaklint's Neovim test client: headless Neovim opens one file with `leaklint lsp` attached
-- through Neovim's own LSP client, waits for the server's diagnostics, asks for the code actions
-- of the first one, and prints what it saw as one line of JSON:
--
--   {"diagnostics": [<LSP Diagnostic>...], "code_actions": ["<title>", ...]}
--
-- Run by tests/lsp_editors.rs as
--   nvim --headless --clean -u NONE -c 'luafile tests/lsp_client/nvim_client.lua'
-- with these environment variables:
--   LSP_CMD           the server command, words separated by spaces ("/path/leaklint lsp")
--   LSP_FILE          the file to open; its folder is the workspace root
--   LSP_TIMEOUT_MS    how long to wait for diagnostics (default 10000)
--   LSP_EXPECT_EMPTY  "1" when an empty diagnostics list is the expected answer (clean file)
--
-- Exit status: 0 with the JSON line, 1 when the server was silent or failed, 2 on bad usage.
-- Uses only APIs present in Neovim 0.7 (Debian bookworm) and still present in newer releases.

local function fail(status, message)
  io.stderr:write(message .. "\n")
  vim.cmd(status .. "cquit")
end

local command_line = os.getenv("LSP_CMD")
local path = os.getenv("LSP_FILE")
if command_line == nil or path == nil then
  fail(2, "set LSP_CMD and LSP_FILE")
end
local wait_ms = tonumber(os.getenv("LSP_TIMEOUT_MS") or "10000")
local empty_is_an_answer = os.getenv("LSP_EXPECT_EMPTY") == "1"

path = vim.fn.fnamemodify(path, ":p")
local uri = vim.uri_from_fname(path)
vim.cmd("edit " .. vim.fn.fnameescape(path))
local buffer = vim.api.nvim_get_current_buf()

-- The first publication for our file that answers the question: a non-empty list, or any list
-- when the file is expected to be clean. Servers may publish an empty list before linting.
local received = nil
local function on_diagnostics(err, result, ctx, config)
  vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
  if result == nil or result.uri ~= uri or received ~= nil then
    return
  end
  if #result.diagnostics > 0 or empty_is_an_answer then
    received = result.diagnostics
  end
end

local exit_note = nil
local client = vim.lsp.start_client({
  name = "leaklint",
  cmd = vim.split(command_line, " ", { trimempty = true }),
  root_dir = vim.fn.fnamemodify(path, ":h"),
  handlers = { ["textDocument/publishDiagnostics"] = on_diagnostics },
  on_exit = function(code, signal)
    if code ~= 0 or signal ~= 0 then
      exit_note = string.format("the server stopped: exit code %d, signal %d", code, signal)
    end
  end,
})
if client == nil then
  fail(1, "Neovim could not start: " .. command_line)
end
-- Attaching sends `initialize` (once) and `textDocument/didOpen`.
vim.lsp.buf_attach_client(buffer, client)

vim.wait(wait_ms, function()
  return received ~= nil or exit_note ~= nil
end, 25)
if received == nil then
  vim.lsp.stop_client(client, true)
  fail(1, exit_note or string.format("no diagnostics for %s within %d ms", uri, wait_ms))
end

local titles = {}
if #received > 0 then
  local first = received[1]
  local replies = vim.lsp.buf_request_sync(buffer, "textDocument/codeAction", {
    textDocument = { uri = uri },
    range = first.range,
    context = { diagnostics = { first } },
  }, wait_ms)
  for _, reply in pairs(replies or {}) do
    if reply.err ~= nil then
      fail(1, "codeAction failed: " .. vim.inspect(reply.err))
    end
    for _, action in ipairs(reply.result or {}) do
      titles[#titles + 1] = action.title
    end
  end
end

io.stdout:write(vim.json.encode({ diagnostics = received, code_actions = titles }) .. "\n")
vim.lsp.stop_client(client)
vim.wait(2000, function()
  return vim.lsp.get_client_by_id(client) == nil
end, 25)
vim.cmd("qall!")
