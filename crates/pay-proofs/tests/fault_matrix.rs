//! The fault matrix (issue 13, item 1): every write operation of both adapters, taken from
//! each adapter's `wire::OPERATIONS`, under each of nine fault kinds injected by
//! pay-testkit. Each cell runs on its own fake and asserts:
//!
//! - no duplicate effect: the fake's own count of applied requests of the operation
//!   (`EasytransacFake::applied`, `EasypayFake::applied`) ends at what one call makes;
//! - a typed error of the right kind: `AmbiguousOutcome` carrying the merchant reference
//!   (or the idempotency key) whenever the write may have arrived and the client cannot
//!   safely repeat it, a write without idempotency never sent twice;
//! - reconciliation reaching the true final state: Easytransac by `OrderId`
//!   (`reconcile`, the V2 status by `orderId`) or by `Tid`, Easypay by repeating the call
//!   with the same `Idempotency-Key` or reading the resource; afterwards the fake's state
//!   equals that of one clean call (or of none, when the write never arrived and the
//!   provider has no idempotency).
//!
//! It prints the matrix (`cargo test -p pay-proofs --test fault_matrix -- --nocapture`);
//! `docs/reliability.md` explains it and shows a run.

// The matrix is the suite's report: printing it is the point (`--nocapture` shows it), so
// this test file prints to stdout on purpose.
#![allow(clippy::print_stdout)]

#[path = "fault_matrix/easypay.rs"]
mod easypay;
#[path = "fault_matrix/easytransac.rs"]
mod easytransac;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pay_core::{Method, Operation, OperationKind};
use pay_testkit::{Fault, Snapshot};
use tokio::sync::Semaphore;

/// Every attempt gives up after this long: the timeout faults cost about this much.
pub(crate) const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(600);

/// How many cells run at once (each on its own fake).
const PARALLEL: usize = 12;

/// No cell may take longer than this, whatever goes wrong.
const CELL_LIMIT: Duration = Duration::from_secs(30);

/// One fault kind of the matrix: its column label, what it means, and the fault.
#[derive(Debug, Clone)]
pub(crate) struct FaultCase {
    /// The column label.
    pub(crate) label: &'static str,
    /// The fault pay-testkit injects on the write's first request.
    pub(crate) fault: Fault,
}

/// The nine fault kinds, in column order.
pub(crate) fn fault_cases() -> Vec<FaultCase> {
    let case = |label, fault| FaultCase { label, fault };
    vec![
        case("5xx", Fault::status(500)),
        case("applied+5xx", Fault::AppliedThenStatus(500)),
        case("applied+drop", Fault::AppliedThenLost),
        case("timeout", Fault::Hang),
        case("applied+timeout", Fault::AppliedThenHang),
        case("reset", Fault::Reset),
        case("malformed", Fault::MalformedBody),
        case(
            "429",
            Fault::RateLimited {
                retry_after: Duration::from_secs(1),
            },
        ),
        case(
            "slow-body",
            Fault::SlowBody {
                chunks: 10,
                over: ATTEMPT_TIMEOUT * 4,
            },
        ),
    ]
}

/// What one (operation, fault) cell saw.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    /// `easytransac` or `easypay`.
    pub(crate) provider: &'static str,
    /// The operation id.
    pub(crate) op: &'static str,
    /// The fault's column label.
    pub(crate) fault: &'static str,
    /// What the call returned: `ok`, `AMB` (ambiguous outcome), `rate`, `404`…
    pub(crate) outcome: String,
    /// Requests of the operation the fake received for the call itself (its retries
    /// included, reconciliation not).
    pub(crate) attempts: usize,
    /// Effects the fake applied for the operation, reconciliation included.
    pub(crate) effects: usize,
    /// How the true final state was reached, or `-` when the cell failed before.
    pub(crate) settled: String,
    /// Every assertion that failed.
    pub(crate) problems: Vec<String>,
}

impl Cell {
    pub(crate) fn new(provider: &'static str, op: &'static str, fault: &'static str) -> Self {
        Self {
            provider,
            op,
            fault,
            outcome: "-".to_owned(),
            attempts: 0,
            effects: 0,
            settled: "-".to_owned(),
            problems: Vec::new(),
        }
    }

    /// Records a failed assertion.
    pub(crate) fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.problems.push(what());
        }
    }

    fn text(&self) -> String {
        let mark = if self.problems.is_empty() { "" } else { "!" };
        format!(
            "{mark}{} {}/{} {}",
            self.outcome, self.attempts, self.effects, self.settled
        )
    }
}

/// The writes of an operation table: calls to the provider that the description marks
/// not idempotent, that carry an idempotency header, or that delete.
pub(crate) fn writes(table: &[Operation]) -> BTreeSet<&'static str> {
    table
        .iter()
        .filter(|op| op.kind == OperationKind::Path)
        .filter(|op| {
            !op.idempotent || op.idempotency_header.is_some() || op.method == Method::Delete
        })
        .map(|op| op.id)
        .collect()
}

/// The fake's state as a multiset of (kind, status): what one call changes, whatever
/// ids it was given.
pub(crate) fn shape(snapshot: &Snapshot) -> BTreeMap<String, usize> {
    let mut shape = BTreeMap::new();
    for r in snapshot.resources() {
        *shape
            .entry(format!("{:?} {}", r.kind(), r.status()))
            .or_default() += 1;
    }
    shape
}

/// Runs every cell, at most [`PARALLEL`] at once, each within [`CELL_LIMIT`].
async fn run_all<F, Fut>(cells: Vec<(&'static str, &'static str, FaultCase)>, run: F) -> Vec<Cell>
where
    F: Fn(&'static str, FaultCase) -> Fut,
    Fut: Future<Output = Cell> + Send + 'static,
{
    let gate = Arc::new(Semaphore::new(PARALLEL));
    let mut tasks = Vec::new();
    for (provider, op, case) in cells {
        let gate = gate.clone();
        let label = case.label;
        let cell = run(op, case);
        tasks.push((
            provider,
            op,
            label,
            tokio::spawn(async move {
                let _permit = gate.acquire_owned().await;
                tokio::time::timeout(CELL_LIMIT, cell).await
            }),
        ));
    }
    let mut done = Vec::new();
    for (provider, op, label, task) in tasks {
        let cell = match task.await {
            Ok(Ok(cell)) => cell,
            Ok(Err(_)) => {
                let mut cell = Cell::new(provider, op, label);
                cell.problems
                    .push(format!("took longer than {CELL_LIMIT:?}"));
                cell
            }
            Err(err) => {
                let mut cell = Cell::new(provider, op, label);
                cell.problems.push(format!("panicked: {err}"));
                cell
            }
        };
        done.push(cell);
    }
    done
}

/// The matrix of one provider as text: a row per operation, a column per fault.
fn render(provider: &str, ops: &BTreeSet<&'static str>, cells: &[Cell]) -> String {
    let labels: Vec<&str> = fault_cases().iter().map(|c| c.label).collect();
    let find = |op: &str, label: &str| {
        cells
            .iter()
            .find(|c| c.provider == provider && c.op == op && c.fault == label)
            .map_or_else(|| "missing".to_owned(), Cell::text)
    };
    let op_width = ops.iter().map(|o| o.len()).max().unwrap_or(0).max(9);
    let widths: Vec<usize> = labels
        .iter()
        .map(|label| {
            ops.iter()
                .map(|op| find(op, label).len())
                .chain([label.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let _ = write!(out, "{:op_width$}", provider);
    for (label, w) in labels.iter().zip(&widths) {
        let _ = write!(out, " | {label:w$}");
    }
    out.push('\n');
    let _ = write!(out, "{}", "-".repeat(op_width));
    for w in &widths {
        let _ = write!(out, "-|-{}", "-".repeat(*w));
    }
    out.push('\n');
    for op in ops {
        let _ = write!(out, "{op:op_width$}");
        for (label, w) in labels.iter().zip(&widths) {
            let _ = write!(out, " | {:w$}", find(op, label));
        }
        out.push('\n');
    }
    out
}

/// Every write operation of both adapters under every fault kind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_of_both_adapters_under_every_fault() {
    let started = Instant::now();
    let et_ops = writes(pay_easytransac::wire::OPERATIONS);
    let ep_ops = writes(pay_easypay::wire::OPERATIONS);

    // Every write of the tables has a case here, and nothing else does.
    let et_cases: BTreeSet<&str> = easytransac::CASES.iter().copied().collect();
    let ep_cases: BTreeSet<&str> = easypay::CASES.iter().copied().collect();
    assert_eq!(
        et_cases, et_ops,
        "Easytransac writes without a case (or cases that are not writes)"
    );
    assert_eq!(
        ep_cases, ep_ops,
        "Easypay writes without a case (or cases that are not writes)"
    );

    let mut cells = Vec::new();
    for op in &et_ops {
        for case in fault_cases() {
            cells.push(("easytransac", *op, case));
        }
    }
    let mut et = run_all(cells, easytransac::cell).await;
    let mut cells = Vec::new();
    for op in &ep_ops {
        for case in fault_cases() {
            cells.push(("easypay", *op, case));
        }
    }
    let ep = run_all(cells, easypay::cell).await;
    et.extend(ep);
    let all = et;

    let faults = fault_cases().len();
    println!();
    println!(
        "Fault matrix: {} writes x {faults} faults = {} cells, in {:.1} s",
        et_ops.len() + ep_ops.len(),
        all.len(),
        started.elapsed().as_secs_f64()
    );
    println!("Cell: outcome attempts-sent/effects-applied final-state; `!` marks a failed cell.");
    println!();
    println!("{}", render("easytransac", &et_ops, &all));
    println!("{}", render("easypay", &ep_ops, &all));

    let problems: Vec<String> = all
        .iter()
        .flat_map(|c| {
            c.problems
                .iter()
                .map(move |p| format!("{} {} x {}: {p}", c.provider, c.op, c.fault))
        })
        .collect();
    assert_eq!(all.len(), (et_ops.len() + ep_ops.len()) * faults);
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_write_sets_are_the_ones_the_descriptions_mark() {
    // Easytransac marks every write not idempotent and has no idempotency header.
    let et = writes(pay_easytransac::wire::OPERATIONS);
    assert_eq!(et.len(), 21, "{et:?}");
    for id in &et {
        let op = pay_easytransac::wire::operation(id).unwrap();
        assert!(!op.idempotent && op.idempotency_header.is_none(), "{id}");
    }
    // Easypay: POST and PATCH carry `Idempotency-Key`; DELETE carries none.
    let ep = writes(pay_easypay::wire::OPERATIONS);
    assert_eq!(ep.len(), 19, "{ep:?}");
    for id in &ep {
        let op = pay_easypay::wire::operation(id).unwrap();
        assert_eq!(
            op.idempotency_header.is_some(),
            op.method != Method::Delete,
            "{id}"
        );
    }
    // No read is counted as a write.
    assert!(!et.contains("v1_payment_status") && !ep.contains("single_get"));
}
