//! What a model keeps of its file's [`FileFacts`], in the form rules ask about.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use swc_ecma_ast::{Id, Program};

use super::FileFacts;
use crate::Step;
use crate::model::{ClassId, FnId, Model, Origin, Role};

/// The project's facts about one file, bound to its model.
#[derive(Debug, Default)]
pub(crate) struct Bound {
    roles: HashMap<FnId, Role>,
    startup_only: HashSet<FnId>,
    singletons: HashMap<ClassId, Step>,
    axios_timeout: Option<String>,
    dispatcher_deadline: Option<String>,
    /// Import bindings that are HTTP wrappers, with the step at the wrapper.
    http_wrappers: HashMap<Id, Step>,
    /// Parameters every caller in other files fills with a long-lived value.
    long_lived_params: HashMap<(FnId, usize), Step>,
    /// Parameters some caller in another file fills with a value of its own invocation.
    caller_owned_params: HashSet<(FnId, usize)>,
    /// Import bindings and the properties read after them that are HTTP client instances made
    /// elsewhere without a deadline.
    untimed_clients: HashMap<(Id, Vec<swc_atoms::Atom>), super::ClientMade>,
}

impl Bound {
    pub(crate) fn new(model: &Model<'_>, program: &Program, facts: &FileFacts) -> Bound {
        let mut http_wrappers = HashMap::default();
        let mut untimed_clients = HashMap::default();
        if !facts.http_wrappers.is_empty() || !facts.untimed_clients.is_empty() {
            let table = super::summary::import_table(model, program);
            for (id, import) in &table.by_binding {
                if let Some((_, step)) = facts.http_wrappers.iter().find(|(i, _)| i == import) {
                    http_wrappers.insert(id.clone(), step.clone());
                }
                for (_, props, made) in facts.untimed_clients.iter().filter(|(i, ..)| i == import) {
                    untimed_clients.insert((id.clone(), props.clone()), made.clone());
                }
            }
        }
        let in_range = |f: &FnId| model.functions.contains(*f);
        Bound {
            roles: facts
                .roles
                .iter()
                .filter(|(f, _)| in_range(f))
                .map(|(f, r)| {
                    // The subject is this file's function: its line is read here.
                    let mut chain = r.chain.clone();
                    for step in &mut chain {
                        if step.kind == crate::StepKind::Subject && step.source.is_empty() {
                            step.source = model.source_line(model.functions[*f].span.start);
                        }
                    }
                    (
                        *f,
                        Role {
                            frequency: r.frequency,
                            origin: Some(Origin {
                                function: *f,
                                span: None,
                                text: crate::chain_text(&chain),
                                chain,
                            }),
                        },
                    )
                })
                .collect(),
            startup_only: facts
                .startup_only
                .iter()
                .copied()
                .filter(in_range)
                .collect(),
            singletons: facts
                .singletons
                .iter()
                .filter(|(c, _)| model.classes.contains(*c))
                .cloned()
                .collect(),
            axios_timeout: facts.axios_timeout.clone(),
            dispatcher_deadline: facts.dispatcher_deadline.clone(),
            http_wrappers,
            long_lived_params: facts
                .long_lived_params
                .iter()
                .filter(|(f, _, _)| in_range(f))
                .map(|(f, i, step)| ((*f, *i), step.clone()))
                .collect(),
            caller_owned_params: facts
                .caller_owned_params
                .iter()
                .filter(|(f, _)| in_range(f))
                .copied()
                .collect(),
            untimed_clients,
        }
    }
}

impl Model<'_> {
    /// The role callers in other files give to function `f`.
    pub fn project_role(&self, f: FnId) -> Option<&Role> {
        self.project.roles.get(&f)
    }

    /// Is every caller of `f` in the project start-up code?
    pub fn project_startup_only(&self, f: FnId) -> bool {
        self.project.startup_only.contains(&f)
    }

    /// Why class `c` has a single instance for the life of the process, when another file
    /// makes it once: the [`crate::StepKind::SingleInstance`] step at the module-scope `new`.
    pub fn project_singleton(&self, c: ClassId) -> Option<&Step> {
        self.project.singletons.get(&c)
    }

    /// When every caller of `f` in other files passes a long-lived value as its parameter at
    /// 0-based position `index`: a [`crate::StepKind::CalledFrom`] step at one such call, whose
    /// code is the argument as written.
    pub fn project_long_lived_param(&self, f: FnId, index: usize) -> Option<&Step> {
        self.project.long_lived_params.get(&(f, index))
    }

    /// Does some caller of `f` in another file fill its parameter at 0-based position `index`
    /// with a value of the caller's own invocation (`new Subscriber(this.pool)` in a
    /// constructor)?
    pub fn project_caller_owned_param(&self, f: FnId, index: usize) -> bool {
        self.project.caller_owned_params.contains(&(f, index))
    }

    /// Where the process-wide `axios.defaults.timeout` is set in another file ("bootstrap.js:9").
    pub fn project_axios_timeout(&self) -> Option<&str> {
        self.project.axios_timeout.as_deref()
    }

    /// Where another file gives undici's global dispatcher (and so Node's `fetch`) a deadline
    /// ("bootstrap.js:4").
    pub fn project_dispatcher_deadline(&self) -> Option<&str> {
        self.project.dispatcher_deadline.as_deref()
    }

    /// For an import binding that is a project function forwarding to an HTTP client: the
    /// [`crate::StepKind::ForwardsTo`] step at that function.
    pub fn project_http_wrapper(&self, id: &Id) -> Option<&Step> {
        self.project.http_wrappers.get(id)
    }

    /// For a receiver that is an HTTP client instance made in another file without a
    /// deadline (`api` from `const { api } = require('./http')`, or `http.api`): its library
    /// and the [`crate::StepKind::ClientCreated`] step where it is made.
    pub fn project_untimed_client(
        &self,
        receiver: &crate::model::AccessPath,
    ) -> Option<&super::ClientMade> {
        if self.project.untimed_clients.is_empty() {
            return None;
        }
        let crate::model::Root::Binding(id) = &receiver.root else {
            return None;
        };
        self.project
            .untimed_clients
            .get(&(id.clone(), receiver.props.clone()))
    }
}
