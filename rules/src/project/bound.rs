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
    nest_http_timeout: Option<String>,
    /// Import bindings that are HTTP wrappers, with the step at the wrapper.
    http_wrappers: HashMap<Id, Step>,
    /// Parameters every caller in other files fills with a long-lived value.
    long_lived_params: HashMap<(FnId, usize), Step>,
    /// Parameters some caller in another file fills with a value of its own invocation.
    caller_owned_params: HashSet<(FnId, usize)>,
    /// Import bindings and the properties read after them that are HTTP client instances made
    /// elsewhere without a deadline.
    untimed_clients: HashMap<(Id, Vec<swc_atoms::Atom>), super::ClientMade>,
    /// Import bindings and the properties read after them that are collections made at module
    /// scope elsewhere, which no file of the project takes entries out of.
    imported_collections: HashMap<(Id, Vec<swc_atoms::Atom>), super::CollectionMade>,
}

impl Bound {
    pub(crate) fn new(model: &Model<'_>, program: &Program, facts: &FileFacts) -> Bound {
        let mut http_wrappers = HashMap::default();
        let mut untimed_clients = HashMap::default();
        let mut imported_collections = HashMap::default();
        if !facts.http_wrappers.is_empty()
            || !facts.untimed_clients.is_empty()
            || !facts.imported_collections.is_empty()
        {
            let table = super::summary::import_table(model, program);
            for (id, import) in &table.by_binding {
                if let Some((_, step)) = facts.http_wrappers.iter().find(|(i, _)| i == import) {
                    http_wrappers.insert(id.clone(), step.clone());
                }
                for (_, props, made) in facts.untimed_clients.iter().filter(|(i, ..)| i == import) {
                    untimed_clients.insert((id.clone(), props.clone()), made.clone());
                }
                for (_, props, made) in facts
                    .imported_collections
                    .iter()
                    .filter(|(i, ..)| i == import)
                {
                    imported_collections.insert((id.clone(), props.clone()), made.clone());
                }
            }
        }
        let in_range = |f: &FnId| model.functions().contains(*f);
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
                            step.source = model.source_line(model.function(*f).span.start);
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
                .filter(|(c, _)| model.classes().contains(*c))
                .cloned()
                .collect(),
            axios_timeout: facts.axios_timeout.clone(),
            dispatcher_deadline: facts.dispatcher_deadline.clone(),
            nest_http_timeout: facts.nest_http_timeout.clone(),
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
            imported_collections,
        }
    }
}

// What the model answers with these facts (`Model::project_role` and the others, in
// `rules/src/model/mod.rs` with the rest of the model's questions).
impl Bound {
    pub(crate) fn role(&self, f: FnId) -> Option<&Role> {
        self.roles.get(&f)
    }

    pub(crate) fn startup_only(&self, f: FnId) -> bool {
        self.startup_only.contains(&f)
    }

    pub(crate) fn singleton(&self, c: ClassId) -> Option<&Step> {
        self.singletons.get(&c)
    }

    pub(crate) fn long_lived_param(&self, f: FnId, index: usize) -> Option<&Step> {
        self.long_lived_params.get(&(f, index))
    }

    pub(crate) fn caller_owned_param(&self, f: FnId, index: usize) -> bool {
        self.caller_owned_params.contains(&(f, index))
    }

    pub(crate) fn axios_timeout(&self) -> Option<&str> {
        self.axios_timeout.as_deref()
    }

    pub(crate) fn dispatcher_deadline(&self) -> Option<&str> {
        self.dispatcher_deadline.as_deref()
    }

    pub(crate) fn nest_http_timeout(&self) -> Option<&str> {
        self.nest_http_timeout.as_deref()
    }

    pub(crate) fn http_wrapper(&self, id: &Id) -> Option<&Step> {
        self.http_wrappers.get(id)
    }

    pub(crate) fn untimed_client(
        &self,
        receiver: &crate::model::AccessPath,
    ) -> Option<&super::ClientMade> {
        if self.untimed_clients.is_empty() {
            return None;
        }
        let crate::model::Root::Binding(id) = &receiver.root else {
            return None;
        };
        self.untimed_clients
            .get(&(id.clone(), receiver.props.clone()))
    }

    pub(crate) fn imported_collection(
        &self,
        path: &crate::model::AccessPath,
    ) -> Option<&super::CollectionMade> {
        if self.imported_collections.is_empty() {
            return None;
        }
        let crate::model::Root::Binding(id) = &path.root else {
            return None;
        };
        self.imported_collections
            .get(&(id.clone(), path.props.clone()))
    }
}
