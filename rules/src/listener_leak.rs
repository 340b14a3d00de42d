use crate::model::Model;
use crate::{Finding, Rule, declare_rule};

declare_rule! {
    /// A listener is added per request, per connection or per call to an emitter that outlives it.
    pub ListenerLeak { id: "listener-leak", severity: Error, category: Listeners }
}

impl Rule for ListenerLeak {
    fn meta(&self) -> &'static crate::Meta {
        &Self::META
    }
    fn check(&self, _model: &Model<'_>, _found: &mut Vec<Finding>) {}
}
