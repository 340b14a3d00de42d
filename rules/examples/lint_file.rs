//! Prints every finding for the files given, one per line (`path:line:col [rule] message`).
//! A development aid for looking at the model's output without the CLI.
use leaklint_rules::{Flavor, Knowledge, LineIndex, lint};

fn main() {
    for path in std::env::args().skip(1) {
        let Some(flavor) = Flavor::from_path(&path) else {
            continue;
        };
        let Ok(src) = std::fs::read_to_string(&path) else {
            continue;
        };
        let result = std::thread::Builder::new()
            .stack_size(leaklint_rules::STACK_SIZE)
            .spawn(move || {
                let knowledge = Knowledge::default();
                let lines = LineIndex::new(&src);
                match lint(&src, flavor, &|_| true, &knowledge) {
                    Ok(out) => out
                        .findings
                        .iter()
                        .map(|f| {
                            let p = lines.position(&src, f.span.start);
                            format!("{}:{} [{}] {}", p.line, p.column, f.rule.id, f.message)
                        })
                        .collect::<Vec<_>>(),
                    Err(e) => vec![format!("parse error at {}: {}", e.offset, e.message)],
                }
            })
            .unwrap()
            .join()
            .unwrap();
        for line in result {
            println!("{path}:{line}");
        }
    }
}
