//! Queues and message brokers: Bull / BullMQ `queue.process(fn)`, amqplib
//! `channel.consume(queue, fn)`, kafkajs `consumer.run({ eachMessage })`. Their handlers run
//! once per message.

use swc_ecma_ast::*;

use super::super::path::strip;
use super::super::roles::Frequency;
use super::super::syntax::object_values;
use super::{Registration, Site};

/// Bull `queue.process(fn)`, amqplib `channel.consume(q, fn)` (not Node's `process`).
pub(super) fn worker<'c>(site: &Site<'c, '_, '_>) -> Option<Registration<'c>> {
    let handlers = site.fn_args();
    (!handlers.is_empty() && site.receiver_text != "process")
        .then(|| (site.role(Frequency::PerMessage), handlers))
}

/// kafkajs `consumer.run({ eachMessage })`.
pub(super) fn kafka_run<'c>(site: &Site<'c, '_, '_>) -> Option<Registration<'c>> {
    let handlers: Vec<&Expr> = site
        .args
        .iter()
        .filter_map(|a| match strip(a) {
            Expr::Object(o) => Some(o),
            _ => None,
        })
        .flat_map(|o| object_values(o, &["eachMessage", "eachBatch"]))
        .collect();
    (!handlers.is_empty()).then(|| (site.role(Frequency::PerMessage), handlers))
}
