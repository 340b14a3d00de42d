//! Which rules can fire on a file, found in one pass over its text.
//!
//! Every rule declares trigger substrings (and, for rules about repeating code, the tokens of
//! [`crate::model::REPEATING_CODE`]). Checking each with `str::contains` meant some sixty scans
//! of every file; one Aho–Corasick automaton over all of them scans once.
//!
//! The automaton runs leftmost-longest searches, each from one byte after the previous match's
//! start, rather than an overlapping search (a third slower on real code, where matches are
//! rare). That finds, at every position where some pattern starts, the longest one; any
//! other pattern starting there is a prefix of it (`setInterval` of `setInterval(`), and is
//! counted present with it.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};

use crate::{ALL, Knowledge, Meta};

/// What a pattern of the automaton stands for.
#[derive(Clone, Copy)]
enum Pattern {
    /// A trigger of the rule at this index of [`ALL`].
    Rule(usize),
    /// A token of repeating code.
    Repeating,
    /// A trigger that opens the rule at this index of [`ALL`] on its own.
    Standalone(usize),
}

struct Automaton {
    matcher: AhoCorasick,
    patterns: Vec<Pattern>,
    /// For each pattern, the patterns that are prefixes of it (itself included).
    prefixes: Vec<Vec<usize>>,
}

static AUTOMATON: LazyLock<Automaton> = LazyLock::new(|| {
    let mut strings: Vec<&'static str> = Vec::new();
    let mut patterns = Vec::new();
    for (i, rule) in ALL.iter().enumerate() {
        for t in rule.meta().triggers {
            strings.push(t);
            patterns.push(Pattern::Rule(i));
        }
    }
    for (i, rule) in ALL.iter().enumerate() {
        for t in rule.meta().standalone {
            strings.push(t);
            patterns.push(Pattern::Standalone(i));
        }
    }
    for t in crate::model::REPEATING_CODE {
        strings.push(t);
        patterns.push(Pattern::Repeating);
    }
    let matcher = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&strings)
        .expect("trigger strings build an automaton");
    let prefixes = strings
        .iter()
        .map(|long| {
            (0..strings.len())
                .filter(|&p| long.starts_with(strings[p]))
                .collect()
        })
        .collect();
    Automaton {
        matcher,
        patterns,
        prefixes,
    }
});

/// The trigger substrings present in one text.
pub struct Present {
    rules: Vec<bool>,
    repeating: bool,
    standalone: Vec<bool>,
}

impl Present {
    /// Scans `src` once.
    pub fn scan(src: &str) -> Present {
        let automaton = &*AUTOMATON;
        let mut present = Present {
            rules: vec![false; ALL.len()],
            repeating: false,
            standalone: vec![false; ALL.len()],
        };
        let with_standalone = ALL
            .iter()
            .filter(|r| !r.meta().standalone.is_empty())
            .count();
        let mut wanted = ALL.len() + 1 + with_standalone;
        let mut from = 0;
        while wanted > 0
            && let Some(m) = automaton
                .matcher
                .find(Input::new(src).span(from..src.len()))
        {
            from = m.start() + 1;
            for &p in &automaton.prefixes[m.pattern().as_usize()] {
                match automaton.patterns[p] {
                    Pattern::Rule(i) if !present.rules[i] => {
                        present.rules[i] = true;
                        wanted -= 1;
                    }
                    Pattern::Repeating if !present.repeating => {
                        present.repeating = true;
                        wanted -= 1;
                    }
                    Pattern::Standalone(i) if !present.standalone[i] => {
                        present.standalone[i] = true;
                        wanted -= 1;
                    }
                    _ => {}
                }
            }
        }
        present
    }

    /// Is one of `rule`'s own triggers present (whatever its `requires`)?
    pub fn own(&self, rule: &Meta) -> bool {
        ALL.iter()
            .position(|r| std::ptr::eq(r.meta(), rule))
            .is_some_and(|i| self.rules[i])
    }

    /// Is a token of repeating code present?
    pub fn repeating(&self) -> bool {
        self.repeating
    }

    /// Could `rule` fire on the scanned text? Same answer as [`Meta::triggered_by`].
    pub fn triggers(&self, rule: &Meta, knowledge: &Knowledge) -> bool {
        let Some(i) = ALL.iter().position(|r| std::ptr::eq(r.meta(), rule)) else {
            return rule.triggers.is_empty();
        };
        (self.rules[i]
            && (rule.requires.is_empty()
                || self.repeating
                || !knowledge.handler_registrars.is_empty()))
            || self.standalone[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The single pass agrees with checking every string on its own.
    #[test]
    fn one_pass_agrees_with_contains() {
        let knowledge = Knowledge::default();
        let texts = [
            "",
            "bus.on('x', f)",
            "cache.set(k, v); app.get('/', h)",
            "cache.set(k, v);",
            "x.setMaxListeners(0)",
            "const b = Buffer.alloc(10); setInterval(f, 1)",
            "await fetch(u); new Promise(r => r())",
            "app.locals.x[k] = 1; router.post('/a', h)",
            // Patterns that start at the same place, or inside one another.
            "setInterval(f, 1)",
            "setInterval",
            "x.once(y); a.get(Array(3))",
            "emitter['on'](x)",
            "a.on(b).once(c).setMaxListeners(0)",
            "global.tasks.set(t.name, t)",
            "registry[this.id] = this",
        ];
        for text in texts {
            let present = Present::scan(text);
            for rule in ALL {
                assert_eq!(
                    present.triggers(rule.meta(), &knowledge),
                    rule.meta().triggered_by(text, &knowledge),
                    "{} on {text:?}",
                    rule.meta().id
                );
                assert_eq!(
                    present.own(rule.meta()),
                    rule.meta().triggers.iter().any(|t| text.contains(t)),
                    "own triggers of {} on {text:?}",
                    rule.meta().id
                );
            }
            assert_eq!(
                present.repeating(),
                crate::model::REPEATING_CODE
                    .iter()
                    .any(|t| text.contains(t)),
                "repeating code in {text:?}"
            );
        }
    }
}
