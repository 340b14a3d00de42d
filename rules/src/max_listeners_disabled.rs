//! `max-listeners-disabled`: `setMaxListeners(0)` / `Infinity`, or `defaultMaxListeners` set to
//! either, which switches off Node's own listener-leak warning.

use crate::model::{AccessPath, Arg, Model, Root};
use crate::{Confidence, Draft, Rule, RuleContext, Signature, SignatureKind, Span, declare_rule};

declare_rule! {
    /// The emitter's listener limit is turned off with 0 or Infinity, which hides Node's leak warning.
    ///
    /// ### What it finds
    ///
    /// `emitter.setMaxListeners(0)`, `emitter.setMaxListeners(Infinity)`,
    /// `events.setMaxListeners(0, ...targets)`, and `EventEmitter.defaultMaxListeners = 0` (or
    /// `Infinity`, or `Number.POSITIVE_INFINITY`). A finite limit, however high, is fine: the
    /// warning still fires if listeners keep growing past it.
    ///
    /// ### Why it leaks
    ///
    /// Node warns with `MaxListenersExceededWarning` when an emitter gets more than ten listeners
    /// for one event: that warning is most programs' only sign of a listener leak. Setting the
    /// limit to 0 or Infinity silences it for good, so a leak on that emitter grows without a
    /// trace until the process runs out of memory.
    ///
    /// ### Bad
    ///
    /// ```js
    /// const { EventEmitter } = require('events');
    /// const bus = new EventEmitter();
    /// bus.setMaxListeners(0);
    /// ```
    ///
    /// ```js
    /// import { EventEmitter } from 'node:events';
    /// EventEmitter.defaultMaxListeners = Infinity;
    /// ```
    ///
    /// ### Good
    ///
    /// ```js
    /// const { EventEmitter } = require('events');
    /// const bus = new EventEmitter();
    /// // One listener per worker, and there are at most 64 workers.
    /// bus.setMaxListeners(64);
    /// ```
    ///
    /// ### How to fix
    ///
    /// Set a finite limit that matches how many listeners the emitter really needs (the number
    /// of workers, plugins or subscribers), and keep the warning for when that number is
    /// exceeded. If the warning fired, look for the listener that is added per request.
    pub MaxListenersDisabled {
        id: "max-listeners-disabled",
        severity: Warning,
        category: Listeners,
        triggers: ["MaxListeners"],
    }
}

impl Rule for MaxListenersDisabled {
    fn check(&self, model: &Model<'_>, cx: &mut RuleContext<'_>) {
        // `emitter.setMaxListeners(0)` and `events.setMaxListeners(0, a, b)`.
        for call in model.calls_of(&["setMaxListeners"]) {
            if let Some(value) = call.args.first().and_then(|a| unlimited(model, a)) {
                let target = if call.args.len() > 1 {
                    // `events.setMaxListeners(n, ...targets)`
                    quoted(model, &call.args[1..])
                } else {
                    format!("`{}`", model.text(call.receiver_span))
                };
                cx.report(finding(
                    model,
                    call.span,
                    call.receiver.as_ref(),
                    &target,
                    value,
                ));
            }
        }
        for call in model
            .plain_calls()
            .iter()
            .filter(|c| c.name == "setMaxListeners")
        {
            if let Some(value) = call.args.first().and_then(|a| unlimited(model, a)) {
                let target = match call.args.len() {
                    1 => "every new EventTarget and EventEmitter".to_string(),
                    _ => quoted(model, &call.args[1..]),
                };
                cx.report(finding(model, call.span, None, &target, value));
            }
        }
        // `EventEmitter.defaultMaxListeners = 0`
        for w in model.member_writes() {
            if w.key.as_deref() == Some("defaultMaxListeners")
                && let Some(value) = unlimited(model, &w.value)
            {
                cx.report(finding(
                    model,
                    w.span,
                    None,
                    "every emitter in the process",
                    value,
                ));
            }
        }
    }
}

/// "`a`, `b`" for the targets of `events.setMaxListeners(n, a, b)`.
fn quoted(model: &Model<'_>, args: &[Arg]) -> String {
    args.iter()
        .map(|a| format!("`{}`", model.text(a.span())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `0`, `Infinity` or `Number.POSITIVE_INFINITY`: "no limit".
fn unlimited(model: &Model<'_>, arg: &Arg) -> Option<&'static str> {
    match arg {
        Arg::Num(n, _) if *n == 0.0 => Some("0"),
        Arg::Num(n, _) if n.is_infinite() => Some("Infinity"),
        Arg::Path(p, _) if is_global(model, p, &["Infinity"]) => Some("Infinity"),
        Arg::Path(p, _) if is_global(model, p, &["Number", "POSITIVE_INFINITY"]) => {
            Some("Infinity")
        }
        _ => None,
    }
}

fn is_global(_model: &Model<'_>, p: &AccessPath, names: &[&str]) -> bool {
    let (first, rest) = names.split_first().expect("a name");
    matches!(&p.root, Root::Global(g) if g == first)
        && p.props.iter().map(|a| a.as_str()).eq(rest.iter().copied())
}

fn finding(
    model: &Model<'_>,
    span: Span,
    receiver: Option<&AccessPath>,
    target: &str,
    value: &str,
) -> Draft {
    let message = format!(
        "the listener limit of {target} is set to {value}, which turns off Node's `MaxListenersExceededWarning`: a listener \
         leak there will grow without any warning"
    );
    let help = "set a finite limit that matches the listeners really needed (e.g. `setMaxListeners(64)` for 64 workers), \
                and if the warning fired, find the listener that is added per request or per call"
        .to_string();
    let mut signature = Signature::new(SignatureKind::Listener, span);
    signature.receiver = receiver.map(|p| model.path_text(p));
    // The call is in the code: nothing about it is inferred.
    Draft::new(span, message, help, signature).confidence(Confidence::High)
}
