//! JSON-RPC 2.0 messages in LSP's base protocol framing (`Content-Length: N\r\n\r\n` + body).
//!
//! Written here rather than taken from `lsp-server`, whose reader thread stops at the first
//! payload that is not a valid message: a language server must instead answer malformed input
//! with the error JSON-RPC prescribes (`-32700` parse error, `-32600` invalid request, with a
//! `null` id when the id cannot be read) and keep serving.

use std::io::{self, BufRead, Read, Write};

use serde_json::{Map, Value};

/// JSON-RPC error codes (JSON-RPC 2.0 and LSP).
pub mod code {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL_ERROR: i64 = -32603;
    pub const SERVER_NOT_INITIALIZED: i64 = -32002;
    pub const REQUEST_CANCELLED: i64 = -32800;
}

/// Bodies larger than this are skipped unread (and answered with a parse error): a bogus
/// `Content-Length` must not make the server allocate gigabytes.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// A well-formed message from the client.
#[derive(Debug)]
pub enum Message {
    /// `id` is a JSON number or string, echoed as received.
    Request {
        id: Value,
        method: String,
        params: Value,
    },
    Notification {
        method: String,
        params: Value,
    },
    /// The answer to a request the server sent (`client/registerCapability`, ...).
    Response {
        id: Value,
        error: Option<Value>,
    },
}

/// What one frame of input turned out to be.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// Not a usable message: answer with this error. `id` is `null` when it cannot be read.
    Invalid {
        id: Value,
        code: i64,
        message: String,
    },
}

impl Incoming {
    fn invalid(id: Value, code: i64, message: impl Into<String>) -> Incoming {
        Incoming::Invalid {
            id,
            code,
            message: message.into(),
        }
    }
}

/// Reads one frame. `Ok(None)` at the end of the input, also in the middle of a frame (the
/// client went away).
pub fn read(input: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue; // stray blank lines between frames
        }
        saw_header = true;
        let Some((name, value)) = text.split_once(':').filter(|(name, _)| is_token(name)) else {
            // Not a header line (raw JSON without framing, garbage): report it and read on;
            // the next `Content-Length` header starts a frame again.
            let shown: String = text.chars().take(80).collect();
            return Ok(Some(Incoming::invalid(
                Value::Null,
                code::PARSE_ERROR,
                format!("malformed header line: {shown:?}"),
            )));
        };
        if name.eq_ignore_ascii_case("content-length") {
            let value = value.trim();
            length = Some(
                value
                    .parse::<usize>()
                    .map_err(|_| format!("bad Content-Length {value:?}")),
            );
        }
    }
    let length = match length {
        Some(Ok(n)) => n,
        Some(Err(message)) => {
            return Ok(Some(Incoming::invalid(
                Value::Null,
                code::PARSE_ERROR,
                message,
            )));
        }
        None => {
            return Ok(Some(Incoming::invalid(
                Value::Null,
                code::PARSE_ERROR,
                "missing Content-Length header",
            )));
        }
    };
    if length > MAX_BODY {
        let skipped = io::copy(&mut input.take(length as u64), &mut io::sink())?;
        if skipped < length as u64 {
            return Ok(None);
        }
        return Ok(Some(Incoming::invalid(
            Value::Null,
            code::PARSE_ERROR,
            format!("message of {length} bytes is larger than the {MAX_BODY} bytes accepted"),
        )));
    }
    let mut body = vec![0; length];
    match input.read_exact(&mut body) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    Ok(Some(match serde_json::from_slice::<Value>(&body) {
        Ok(value) => classify(value),
        Err(e) => Incoming::invalid(Value::Null, code::PARSE_ERROR, format!("invalid JSON: {e}")),
    }))
}

fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Sorts a JSON value into a request, a notification or a response (JSON-RPC 2.0 §4, §5).
fn classify(value: Value) -> Incoming {
    let Value::Object(mut object) = value else {
        let what = if value.is_array() {
            "batches are not supported by the Language Server Protocol"
        } else {
            "a message must be a JSON object"
        };
        return Incoming::invalid(Value::Null, code::INVALID_REQUEST, what);
    };
    let id = object.remove("id");
    let echo = match &id {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    if object.get("jsonrpc") != Some(&Value::from("2.0")) {
        return Incoming::invalid(echo, code::INVALID_REQUEST, "\"jsonrpc\" must be \"2.0\"");
    }
    match object.remove("method") {
        Some(Value::String(method)) => {
            let params = object.remove("params").unwrap_or(Value::Null);
            if !(params.is_object() || params.is_array() || params.is_null()) {
                return Incoming::invalid(
                    echo,
                    code::INVALID_REQUEST,
                    "\"params\" must be an object or an array",
                );
            }
            match id {
                None => Incoming::Message(Message::Notification { method, params }),
                Some(Value::Number(_) | Value::String(_)) => Incoming::Message(Message::Request {
                    id: echo,
                    method,
                    params,
                }),
                Some(_) => Incoming::invalid(
                    Value::Null,
                    code::INVALID_REQUEST,
                    "\"id\" must be a number or a string",
                ),
            }
        }
        Some(_) => Incoming::invalid(echo, code::INVALID_REQUEST, "\"method\" must be a string"),
        None if id.is_some() && (object.contains_key("result") || object.contains_key("error")) => {
            Incoming::Message(Message::Response {
                id: id.unwrap_or(Value::Null),
                error: object.remove("error"),
            })
        }
        None => Incoming::invalid(
            echo,
            code::INVALID_REQUEST,
            "neither a request, a notification nor a response",
        ),
    }
}

/// Writes framed messages.
pub struct Writer<W: Write> {
    out: W,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W) -> Writer<W> {
        Writer { out }
    }

    pub fn send(&mut self, message: &Value) -> io::Result<()> {
        let body = serde_json::to_vec(message)?;
        write!(self.out, "Content-Length: {}\r\n\r\n", body.len())?;
        self.out.write_all(&body)?;
        self.out.flush()
    }
}

/// `{"jsonrpc": "2.0", ...fields}`.
pub fn envelope(fields: Map<String, Value>) -> Value {
    let mut object = Map::with_capacity(fields.len() + 1);
    object.insert("jsonrpc".into(), Value::from("2.0"));
    object.extend(fields);
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    fn read_all(bytes: &[u8]) -> Vec<Incoming> {
        let mut input = io::BufReader::new(bytes);
        let mut out = Vec::new();
        while let Some(m) = read(&mut input).unwrap() {
            out.push(m);
        }
        out
    }

    #[test]
    fn reads_requests_notifications_and_responses() {
        let mut bytes = frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#);
        bytes.extend(frame(r#"{"jsonrpc":"2.0","method":"initialized"}"#));
        bytes.extend(frame(r#"{"jsonrpc":"2.0","id":"s1","result":null}"#));
        let got = read_all(&bytes);
        assert!(
            matches!(&got[0], Incoming::Message(Message::Request { id, method, .. }) if id == 1 && method == "initialize")
        );
        assert!(
            matches!(&got[1], Incoming::Message(Message::Notification { method, params }) if method == "initialized" && params.is_null())
        );
        assert!(
            matches!(&got[2], Incoming::Message(Message::Response { id, error: None }) if id == "s1")
        );
    }

    #[test]
    fn malformed_input_is_reported_and_reading_goes_on() {
        let mut bytes = frame("{not json");
        bytes.extend(frame("[1,2]"));
        bytes.extend(frame(r#"{"jsonrpc":"2.0","id":7,"method":3}"#));
        bytes.extend(frame(r#"{"jsonrpc":"1.0","id":8,"method":"x"}"#));
        bytes.extend(b"Content-Length: abc\r\n\r\n");
        bytes.extend(b"garbage line\r\n");
        bytes.extend(frame(r#"{"jsonrpc":"2.0","id":9,"method":"shutdown"}"#));
        let got = read_all(&bytes);
        let codes: Vec<(i64, Value)> = got
            .iter()
            .filter_map(|m| match m {
                Incoming::Invalid { id, code, .. } => Some((*code, id.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            codes,
            vec![
                (code::PARSE_ERROR, Value::Null),
                (code::INVALID_REQUEST, Value::Null),
                (code::INVALID_REQUEST, Value::from(7)),
                (code::INVALID_REQUEST, Value::from(8)),
                (code::PARSE_ERROR, Value::Null),
                (code::PARSE_ERROR, Value::Null),
            ]
        );
        assert!(
            matches!(got.last(), Some(Incoming::Message(Message::Request { id, .. })) if id == 9)
        );
    }

    #[test]
    fn a_truncated_frame_is_the_end_of_input() {
        let bytes = b"Content-Length: 100\r\n\r\n{\"jsonrpc\"";
        assert!(read_all(bytes).is_empty());
    }
}
