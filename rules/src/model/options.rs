//! Options objects: does the object a call receives set a key (`timeout`, `signal`)? The object
//! may be written inline, held in a local variable (`const cfg = { timeout }; axios(cfg)`), or
//! built from spreads of either.

use super::{Arg, Model, Root, SPREAD_KEY, UseKind};

/// How deep spreads of spreads are followed.
const MAX_DEPTH: usize = 4;

impl Model<'_> {
    /// Does the options object `arg` set one of `keys`? `true` also when it is a local
    /// variable first set to an object literal and then reassigned: the model cannot see the
    /// final object, and a rule must not claim the key is missing. A parameter, an import or
    /// any other value is not known to set anything.
    pub fn options_set(&self, arg: &Arg, keys: &[&str]) -> bool {
        self.options_set_at(arg, keys, 0)
    }

    fn options_set_at(&self, arg: &Arg, keys: &[&str], depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match arg {
            Arg::Object(props, _) => props.iter().any(|(k, v)| {
                keys.contains(&k.as_str())
                    || (k.as_str() == SPREAD_KEY && self.options_set_at(v, keys, depth + 1))
            }),
            Arg::Path(p, _) if p.props.is_empty() => {
                let Root::Binding(id) = &p.root else {
                    return false;
                };
                let Some(b) = self.binding(id) else {
                    return false;
                };
                let Some(object) = &b.object else {
                    return false;
                };
                let reassigned = b.uses.iter().any(|u| u.kind == UseKind::Write);
                reassigned || self.options_set_at(object, keys, depth + 1)
            }
            _ => false,
        }
    }
}
