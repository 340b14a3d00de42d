//! The graph (dominators, paths, scripts), the comparison and the matcher of every signature
//! kind, on snapshots that Node 20, 22, 24 and 26 wrote from `fixtures/apps/` (see
//! `fixtures/apps/drive.js`; the verdict and unexplained-growth tests run on every set):
//! 10 warm-up requests, then 60 per phase, so every per-request leak holds 70 → 130 → 190
//! objects in s1 → s2 → s3.

use std::path::PathBuf;

use leaklint_runtime_check::confirm::{self, FileMap, Options, Pos, VerdictKind};
use leaklint_runtime_check::graph::{Graph, is_weak};
use leaklint_runtime_check::reader::{ReadOptions, read_from, read_snapshot};
use leaklint_runtime_check::snapshot::NodeIndex;
use leaklint_runtime_check::{Finding, Signature, diff};

fn snapshot_path(app: &str, n: usize) -> PathBuf {
    PathBuf::from(format!(
        "{}/../fixtures/apps/snapshots/{app}/s{n}.heapsnapshot.gz",
        env!("CARGO_MANIFEST_DIR")
    ))
}

fn graph(app: &str, n: usize) -> Graph {
    let p = snapshot_path(app, n);
    Graph::new(read_snapshot(&p, &p.display().to_string(), &ReadOptions::default()).unwrap())
}

fn graphs(app: &str) -> Vec<Graph> {
    (1..=3).map(|n| graph(app, n)).collect()
}

/// The snapshot sets under `fixtures/apps/snapshots/`, one per Node major that wrote them
/// (Node 20's at the top level).
const NODE_SETS: [&str; 4] = ["", "node22/", "node24/", "node26/"];

/// Cooper–Harvey–Kennedy iterative dominators: a slow, simple reference.
fn reference_dominators(g: &Graph) -> Vec<NodeIndex> {
    let s = &g.snap;
    let n = s.node_count();
    let root = NodeIndex::ROOT;
    // Postorder by iterative DFS over strong edges.
    let mut post: Vec<NodeIndex> = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    // (node, its edges not looked at yet)
    let mut stack = vec![(root, s.edges(root))];
    seen[root.ix()] = true;
    while let Some((v, next)) = stack.last_mut() {
        let v = *v;
        let mut pushed = None;
        for e in next.by_ref() {
            let t = s.edge_target(e);
            if !is_weak(s, e) && !seen[t.ix()] {
                seen[t.ix()] = true;
                pushed = Some(t);
                break;
            }
        }
        match pushed {
            Some(t) => stack.push((t, s.edges(t))),
            None => {
                post.push(v);
                stack.pop();
            }
        }
    }
    let mut po = vec![u32::MAX; n];
    for (i, &v) in post.iter().enumerate() {
        po[v.ix()] = i as u32;
    }
    let mut idom = vec![NodeIndex::NONE; n];
    idom[root.ix()] = root;
    let intersect = |idom: &[NodeIndex], mut a: NodeIndex, mut b: NodeIndex| {
        while a != b {
            while po[a.ix()] < po[b.ix()] {
                a = idom[a.ix()];
            }
            while po[b.ix()] < po[a.ix()] {
                b = idom[b.ix()];
            }
        }
        a
    };
    let mut changed = true;
    while changed {
        changed = false;
        for &b in post.iter().rev() {
            if b == root {
                continue;
            }
            let mut new = NodeIndex::NONE;
            for (p, e) in g.retainers(b) {
                if is_weak(s, e) || idom[p.ix()] == NodeIndex::NONE {
                    continue;
                }
                new = if new == NodeIndex::NONE {
                    p
                } else {
                    intersect(&idom, p, new)
                };
            }
            if idom[b.ix()] != new {
                idom[b.ix()] = new;
                changed = true;
            }
        }
    }
    idom[root.ix()] = NodeIndex::NONE;
    idom
}

#[test]
fn dominators_match_a_reference_and_add_up() {
    let mut g = graph("clean", 1);
    g.compute_dominators();
    let reference = reference_dominators(&g);
    let reachable = reference.iter().filter(|&&d| d != NodeIndex::NONE).count();
    assert!(reachable > 40_000, "{reachable}");
    let differ = g
        .snap
        .nodes()
        .filter(|&v| g.idom[v.ix()] != reference[v.ix()])
        .count();
    assert_eq!(differ, 0, "nodes whose immediate dominator differs");
    // The root retains exactly the reachable nodes.
    let reachable_size: u64 = g
        .snap
        .nodes()
        .filter(|&v| v == NodeIndex::ROOT || g.idom[v.ix()] != NodeIndex::NONE)
        .map(|v| u64::from(g.snap.size(v)))
        .sum();
    assert_eq!(g.retained_size(NodeIndex::ROOT), reachable_size);
    // A node retains at least itself and at most its dominator.
    for v in g.snap.nodes().skip(1) {
        let d = g.idom[v.ix()];
        if d != NodeIndex::NONE {
            assert!(g.retained_size(v) >= u64::from(g.snap.size(v)));
            assert!(g.retained_size(v) <= g.retained_size(d));
        }
    }
}

#[test]
fn dominators_of_a_small_graph() {
    // root -a-> A, root -b-> B, A -c-> C, B -c-> C, C -d-> D, A -weak-> E, C -e-> E.
    let meta = r#"{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut","weak"]]}}"#;
    let nodes = "9,0,1,0,2, 3,1,3,10,2, 3,2,5,20,1, 3,3,7,30,2, 3,4,9,40,0, 3,5,11,50,0";
    // Edges in node order: root(a→A, b→B), A(c→C, weak→E), B(c→C), C(d→D, e→E).
    let edges = "2,6,5, 2,7,10, 2,8,15, 6,9,25, 2,8,15, 2,11,20, 2,10,25";
    let text = format!(
        r#"{{"snapshot":{meta},"nodes":[{nodes}],"edges":[{edges}],"strings":["","A","B","C","D","E","a","b","c","w","e","d"]}}"#
    );
    let s = read_from(text.as_bytes(), "t", false, &ReadOptions::default()).unwrap();
    let mut g = Graph::new(s);
    g.compute_dominators();
    let (none, root, c) = (NodeIndex::NONE, NodeIndex::ROOT, NodeIndex(3));
    assert_eq!(g.idom, vec![none, root, root, root, c, c]);
    assert_eq!(g.retained, vec![150, 10, 20, 120, 40, 50]);
    // Shortest path to D goes through A (first reached) then C.
    assert_eq!(
        leaklint_runtime_check::render::path_text(&g, NodeIndex(4)),
        "A @3 → .c C @7 → .d D @9"
    );
}

#[test]
fn scripts_locations_and_comparison() {
    let snaps: Vec<_> = (1..=3)
        .map(|n| {
            let p = snapshot_path("leaky", n);
            read_snapshot(&p, "s", &ReadOptions::default()).unwrap()
        })
        .collect();
    let mut it = snaps.into_iter();
    let (a, b, c) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
    let g = Graph::new(b);
    let server = g
        .scripts
        .values()
        .find(|s| s.name.ends_with("fixtures/apps/leaky/server.js"))
        .expect("the app's script is named in the snapshot");
    // V8 keeps the first 1024 characters of a string, the script source too.
    let source = g.script_source(server).unwrap();
    assert!(source.starts_with("'use strict';\n// A small order service"));
    assert_eq!(source.chars().count(), 1024);
    assert!(g.scripts.values().any(|s| s.name == "node:events"));
    let cmp = diff::compare(&[&a, &g.snap, &c], 1, &g.scripts);
    let row = |line: u32| {
        cmp.locations
            .iter()
            .find(|r| {
                r.location.as_ref().is_some_and(|l| {
                    l.line == line && l.script.ends_with("leaky/server.js") && l.what == "closure"
                })
            })
            .unwrap_or_else(|| panic!("no location row for line {line}"))
    };
    let listeners = row(46);
    assert_eq!(listeners.counts, vec![70, 130, 190]);
    assert_eq!(
        listeners
            .deltas
            .iter()
            .map(|d| d.count())
            .collect::<Vec<_>>(),
        vec![60, 60]
    );
    assert_eq!(listeners.location.as_ref().unwrap().function, "onShipped");
    assert!(listeners.grew_in_all());
    // The sample is an object of the middle snapshot that survives into the last one.
    let sample = listeners.sample.unwrap();
    assert_eq!(g.snap.name(sample), "onShipped");
    let path = leaklint_runtime_check::render::path_text(&g, sample);
    assert!(path.contains("(var orders) EventEmitter"), "{path}");
    assert!(path.contains("._events Object"), "{path}");
    assert!(path.contains(".shipped Array"), "{path}");
    // Classes: one Timeout per request.
    let timeout = cmp.classes.iter().find(|r| r.name == "Timeout").unwrap();
    assert!(timeout.grew_in_all());
    assert!(timeout.deltas.iter().all(|d| d.count() >= 59));
    let growing = diff::Comparison::growing(&cmp.locations, 10);
    assert!(
        growing
            .iter()
            .any(|r| r.name.ends_with("leaky/server.js:55:15"))
    );
    // Two snapshots: one interval.
    let two = diff::compare(&[&a, &g.snap], 1, &g.scripts);
    assert!(two.classes.iter().all(|r| r.deltas.len() == 1));
    let closures = two.classes.iter().find(|r| r.name == "(closure)").unwrap();
    assert!(closures.deltas[0].new >= closures.deltas[0].deleted + 60 * 4);
}

fn finding(
    rule: &str,
    kind: &str,
    call: u32,
    function: Option<u32>,
    set: impl FnOnce(&mut Signature),
) -> Finding {
    let mut signature = Signature {
        kind: kind.into(),
        call: Some(Pos {
            line: call,
            column: 3,
        }),
        function: function.map(|line| Pos { line, column: 10 }),
        ..Signature::default()
    };
    set(&mut signature);
    Finding {
        rule: rule.into(),
        file: "fixtures/apps/leaky/server.js".into(),
        line: call,
        column: 3,
        message: String::new(),
        signature,
    }
}

/// One finding of each signature kind at the seeded lines of `leaky/server.js`.
fn every_kind() -> Vec<Finding> {
    vec![
        finding("listener-leak", "listener", 46, Some(46), |s| {
            s.receiver = Some("orders".into());
            s.event = Some("shipped".into());
        }),
        finding("max-listeners-disabled", "listener", 17, None, |s| {
            s.receiver = Some("orders".into());
        }),
        finding("unbounded-cache", "collection", 49, None, |s| {
            s.collection = Some("sessions".into());
        }),
        finding("global-state-growth", "global", 50, None, |s| {
            s.access_path = Some("globalThis.visitors".into());
        }),
        finding("closure-retains-large", "closure", 27, Some(31), |s| {
            s.retained = Some("report".into());
        }),
        finding("untimed-promise", "promise", 37, None, |_| {}),
        finding("timer-leak", "timer", 55, Some(55), |_| {}),
        finding("listener-leak", "listener", 65, Some(65), |s| {
            s.receiver = Some("process".into());
            s.event = Some("warning".into());
        }),
        finding("listener-leak", "listener", 69, Some(69), |s| {
            s.receiver = Some("orders".into());
            s.event = Some("cancelled".into());
        }),
    ]
}

#[test]
fn every_signature_kind_is_confirmed_on_the_leaky_app() {
    for set in NODE_SETS {
        every_signature_kind_is_confirmed_on(set);
    }
}

fn every_signature_kind_is_confirmed_on(set: &str) {
    let findings = every_kind();
    let opts = Options {
        root: None,
        min_growth: 10,
    };
    let out = confirm::confirm(graphs(&format!("{set}leaky")), &findings, &opts);
    let by_line = |line: u32| {
        out.verdicts
            .iter()
            .find(|v| v.finding.line == line)
            .unwrap()
    };
    for line in [46, 17, 49, 50, 27, 37, 55] {
        let v = by_line(line);
        assert_eq!(
            v.verdict,
            VerdictKind::Confirmed,
            "{set}: {} at {line}: {:?}",
            v.finding.rule,
            v.evidence
        );
        assert_eq!(
            v.evidence[0].counts,
            vec![70, 130, 190],
            "{set}: {} at {line}",
            v.finding.rule
        );
    }
    // The listener's handler closures, as supporting evidence.
    assert_eq!(by_line(46).evidence[1].counts, vec![70, 130, 190]);
    // Each retained `report` is a 16 KiB buffer.
    let held = by_line(27).evidence[0].retained_bytes.clone().unwrap();
    assert!(held[2] >= 190 * 16 * 1024, "{held:?}");
    assert!(held[0] < held[1] && held[1] < held[2]);
    // /admin ran once: ours, not Node's own `warning` listener beside it.
    let admin = by_line(65);
    assert_eq!(admin.verdict, VerdictKind::NotGrowing);
    assert_eq!(admin.evidence[0].counts, vec![1, 1, 1], "{set}");
    assert_eq!(admin.evidence[1].counts, vec![1, 1, 1]);
    // /debug never ran.
    let debug = by_line(69);
    assert_eq!(debug.verdict, VerdictKind::NotObserved);
    assert_eq!(debug.evidence[0].counts, vec![0, 0, 0]);
    // One leak, one line: the `.catch` closure of line 54 waits on the promise that
    // `.then` derived from the untimed one of line 37; it is that finding's, not unexplained.
    let promise = by_line(37);
    assert_eq!(promise.evidence[0].counts, vec![70, 130, 190], "{set}");
    // Every seeded leak is explained: no unexplained growth is left.
    assert!(
        out.unexplained.is_empty(),
        "{:#?}",
        out.unexplained
            .iter()
            .map(|u| (&u.kind, &u.line, &u.name))
            .collect::<Vec<_>>()
    );
    assert!(out.leaks_found());
}

#[test]
fn growth_without_a_finding_is_unexplained_with_file_line_and_path() {
    for set in NODE_SETS {
        growth_without_a_finding_is_unexplained_on(set);
    }
}

fn growth_without_a_finding_is_unexplained_on(set: &str) {
    // Only the listener leak has a finding: every other seeded leak must show up as
    // unexplained growth at its line.
    let findings: Vec<Finding> = every_kind().into_iter().take(1).collect();
    let out = confirm::confirm(
        graphs(&format!("{set}leaky")),
        &findings,
        &Options {
            root: None,
            min_growth: 10,
        },
    );
    assert_eq!(out.verdicts[0].verdict, VerdictKind::Confirmed);
    let at = |line: u32| {
        out.unexplained
            .iter()
            .find(|u| {
                u.line == Some(line) && u.file.as_deref() == Some("fixtures/apps/leaky/server.js")
            })
            .unwrap_or_else(|| {
                panic!(
                    "{set}: nothing unexplained at line {line}: {:#?}",
                    out.unexplained
                )
            })
    };
    let closure = at(31);
    assert_eq!(closure.kind, "closures");
    assert_eq!(closure.name, "reporter");
    assert_eq!(closure.counts, vec![70, 130, 190]);
    assert_eq!(closure.growth, vec![60, 60]);
    assert!(
        closure
            .held_by
            .as_deref()
            .is_some_and(|h| h.contains("Array"))
    );
    assert!(closure.retainer_path.contains("(var reporters) Array"));
    let timer = at(55);
    assert!(
        timer.retainer_path.contains("Timeout"),
        "{}",
        timer.retainer_path
    );
    // Without the promise finding, the `.catch` closures of line 54 grow on their own.
    assert_eq!(at(54).counts, vec![70, 130, 190], "{set}");
    let promise = at(37);
    assert!(
        promise.retainer_path.contains("ClientRequest"),
        "{}",
        promise.retainer_path
    );
    let cache = at(19);
    assert_eq!(
        (cache.kind, cache.class.as_str(), cache.name.as_str()),
        ("collection", "Map", "sessions")
    );
    assert_eq!(cache.counts, vec![70, 130, 190]);
    // Shown from the user's variable, not through whatever Node structure reaches it first.
    assert!(
        cache.retainer_path.starts_with("scope of ")
            && cache.retainer_path.contains("server.js:")
            && cache.retainer_path.contains(" → (var sessions) Map @"),
        "{set}: {}",
        cache.retainer_path
    );
    // Node's timer lists are one folded step.
    assert!(
        timer
            .retainer_path
            .contains("Node-internal steps (node:timers) … → ._idleNext Timeout"),
        "{set}: {}",
        timer.retainer_path
    );
    let global = at(21);
    assert_eq!(global.name, "globalThis.visitors");
    assert!(
        global.retainer_path.starts_with("global @")
            && global.retainer_path.contains(" → .visitors Object @"),
        "{}",
        global.retainer_path
    );
    // The listener's closures are explained by the finding: not listed.
    assert!(out.unexplained.iter().all(|u| u.line != Some(46)));
}

#[test]
fn a_listener_finding_is_confirmed_by_its_own_handler_only() {
    // A finding on the `/debug` handler (line 69, never registered) that names the `shipped`
    // event, where the handler of line 46 grows: counting every `shipped` listener would
    // confirm it.
    let wrong = finding("listener-leak", "listener", 69, Some(69), |s| {
        s.receiver = Some("orders".into());
        s.event = Some("shipped".into());
    });
    // The same event without a handler position: every listener counts, and the note says so.
    let unknown = finding("listener-leak", "listener", 46, None, |s| {
        s.receiver = Some("orders".into());
        s.event = Some("shipped".into());
    });
    let opts = Options {
        root: None,
        min_growth: 10,
    };
    for set in NODE_SETS {
        let out = confirm::confirm(
            graphs(&format!("{set}leaky")),
            &[wrong.clone(), unknown.clone()],
            &opts,
        );
        let (w, u) = (&out.verdicts[0], &out.verdicts[1]);
        assert_ne!(w.verdict, VerdictKind::Confirmed, "{set}: {:?}", w.evidence);
        assert_eq!(w.evidence[0].counts, vec![0, 0, 0], "{set}");
        assert!(
            w.evidence[0]
                .what
                .starts_with("listeners created at server.js:69"),
            "{}",
            w.evidence[0].what
        );
        assert_eq!(u.verdict, VerdictKind::Confirmed, "{set}");
        assert_eq!(u.evidence[0].counts, vec![70, 130, 190], "{set}");
        assert!(
            u.note
                .as_deref()
                .is_some_and(|n| n.contains("every listener of the event")),
            "{:?}",
            u.note
        );
    }
}

#[test]
fn nothing_is_confirmed_or_unexplained_on_the_clean_twin() {
    for set in NODE_SETS {
        nothing_is_confirmed_or_unexplained_on(set);
    }
}

fn nothing_is_confirmed_or_unexplained_on(set: &str) {
    let findings: Vec<Finding> = every_kind()
        .into_iter()
        .map(|mut f| {
            f.file = "fixtures/apps/clean/server.js".into();
            f
        })
        .collect();
    let out = confirm::confirm(
        graphs(&format!("{set}clean")),
        &findings,
        &Options {
            root: None,
            min_growth: 10,
        },
    );
    for v in &out.verdicts {
        assert_ne!(
            v.verdict,
            VerdictKind::Confirmed,
            "{} {}: {:?}",
            v.finding.rule,
            v.finding.line,
            v.evidence
        );
    }
    // The bounded cache is there, but stays at its bound.
    let cache = out
        .verdicts
        .iter()
        .find(|v| v.finding.rule == "unbounded-cache")
        .unwrap();
    assert_eq!(cache.verdict, VerdictKind::NotGrowing);
    let c = &cache.evidence[0].counts;
    assert!(
        c[0] == c[1] && c[1] == c[2] && c[0] > 0 && c[0] <= 21,
        "{c:?}"
    );
    assert!(out.unexplained.is_empty(), "{:#?}", out.unexplained);
    assert!(!out.leaks_found());
    // Even with the lowest growth threshold, nothing on the clean twin.
    let strict = confirm::confirm(
        graphs(&format!("{set}clean")),
        &[],
        &Options {
            root: None,
            min_growth: 1,
        },
    );
    assert!(strict.unexplained.is_empty(), "{:#?}", strict.unexplained);
}

#[test]
fn script_paths_map_to_linted_files() {
    let files = vec![
        "src/app.js".to_owned(),
        "lib/app.js".to_owned(),
        "server.js".to_owned(),
    ];
    let map = FileMap::new(None, &files);
    assert_eq!(map.file_of("/srv/build/src/app.js"), Some("src/app.js"));
    assert_eq!(map.file_of("file:///srv/lib/app.js"), Some("lib/app.js"));
    assert_eq!(map.file_of("/x/y/server.js"), Some("server.js"));
    assert_eq!(map.file_of("/x/y/other.js"), None);
    assert_eq!(map.file_of("node:events"), None);
    assert_eq!(
        map.file_of("file:///srv/my%20app/server.js"),
        Some("server.js")
    );
    assert_eq!(map.file_of("C:\\srv\\src\\app.js"), Some("src/app.js"));
    assert!(diff::is_builtin_script("node:internal/timers"));
    assert!(!diff::is_builtin_script("C:\\srv\\app.js"));
    // With --root, only paths under it map, exactly.
    let map = FileMap::new(Some("/srv/build/"), &files);
    assert_eq!(map.file_of("/srv/build/src/app.js"), Some("src/app.js"));
    assert_eq!(map.file_of("/srv/other/src/app.js"), None);
    assert_eq!(map.file_of("/srv/build/deep/src/app.js"), None);
}

#[test]
fn findings_from_a_json_report() {
    let report = r#"{"version":1,"tool":{"name":"leaklint","version":"0.1.0"},"files":[{"path":"src/a.js","findings":[
      {"rule":"listener-leak","severity":"error","message":"m","help":null,"start":{"line":6,"column":3},"end":{"line":6,"column":9},"labels":[],
       "signature":{"kind":"listener","receiver":"bus","event":"done","collection":null,"access_path":null,"retained":null,"call":{"line":6,"column":3},"function":{"line":6,"column":18}}},
      {"rule":"leaklint/unknown-rule","severity":"warning","message":"m","help":null,"start":{"line":1,"column":1},"end":{"line":1,"column":2},"labels":[],"signature":null}],
      "suppressed":[],"parse_error":null}],"summary":{"errors":1,"warnings":1,"files":1}}"#;
    let f = confirm::findings_from_json(report).unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].file, "src/a.js");
    assert_eq!(f[0].signature.receiver.as_deref(), Some("bus"));
    assert_eq!(
        f[0].signature.function,
        Some(Pos {
            line: 6,
            column: 18
        })
    );
    let e =
        confirm::findings_from_json(&report.replace("\"version\":1", "\"version\":2")).unwrap_err();
    assert!(e.contains("version 2"), "{e}");
    let e = confirm::findings_from_json("[]").unwrap_err();
    assert!(e.contains("not a leaklint JSON report"), "{e}");
}
