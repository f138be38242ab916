//! Steps and their outcomes: what the demo did, how long it took, and what the fake
//! server saw meanwhile. The flows record; `main` renders (text or JSON).

use std::future::Future;
use std::time::{Duration, Instant};

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// It behaved as the SDK promises; the detail says what was seen.
    Ok(String),
    /// It did not: the demo exits non-zero.
    Failed(String),
    /// An earlier step of the same flow failed, so this one did not run.
    Skipped,
}

impl Outcome {
    /// `ok`, `FAILED` or `skipped`.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Outcome::Ok(_) => "ok",
            Outcome::Failed(_) => "FAILED",
            Outcome::Skipped => "skipped",
        }
    }

    /// The detail, if any.
    pub(crate) fn detail(&self) -> &str {
        match self {
            Outcome::Ok(detail) | Outcome::Failed(detail) => detail,
            Outcome::Skipped => "",
        }
    }
}

/// One finished step.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    /// Its position in the whole run, from 1.
    pub(crate) number: usize,
    /// Which provider's flows it belongs to.
    pub(crate) provider: &'static str,
    /// Which flow.
    pub(crate) flow: &'static str,
    /// What it does.
    pub(crate) name: &'static str,
    /// How it ended.
    pub(crate) outcome: Outcome,
    /// Wall time.
    pub(crate) elapsed: Duration,
    /// The requests the fake server received during the step, one line each, as its
    /// request log shows them (secrets redacted by the server).
    pub(crate) requests: Vec<String>,
}

/// What the recorder tells the renderer as the run goes.
pub(crate) trait Progress {
    /// Called when a step is about to run.
    fn started(&mut self, number: usize, total: usize, provider: &'static str, name: &'static str);
    /// Called when a step has finished (or was skipped).
    fn finished(&mut self, step: &Step, total: usize);
}

/// A failed step stops the rest of its flow.
#[derive(Debug)]
pub(crate) struct Stop;

/// Runs steps, times them and reports them.
pub(crate) struct Recorder<'a> {
    total: usize,
    steps: Vec<Step>,
    progress: &'a mut dyn Progress,
}

impl<'a> Recorder<'a> {
    /// A recorder for a run of `total` steps.
    pub(crate) fn new(total: usize, progress: &'a mut dyn Progress) -> Self {
        Self {
            total,
            steps: Vec::new(),
            progress,
        }
    }

    /// Starts the flow `flow` of `provider`, whose steps are `names` in order. Run them
    /// with [`Flow::step`], then call [`Flow::finish`]: steps not run (after a failure)
    /// are recorded as skipped.
    pub(crate) fn flow<'r>(
        &'r mut self,
        provider: &'static str,
        flow: &'static str,
        names: &'static [&'static str],
        requests: &'r dyn Fn() -> Vec<String>,
    ) -> Flow<'r, 'a> {
        Flow {
            recorder: self,
            provider,
            flow,
            names,
            next: 0,
            requests,
        }
    }

    /// Every step recorded.
    pub(crate) fn into_steps(self) -> Vec<Step> {
        self.steps
    }
}

/// The steps of one flow, run in their declared order.
pub(crate) struct Flow<'r, 'a> {
    recorder: &'r mut Recorder<'a>,
    provider: &'static str,
    flow: &'static str,
    names: &'static [&'static str],
    next: usize,
    requests: &'r dyn Fn() -> Vec<String>,
}

impl Flow<'_, '_> {
    /// Records the declared steps that did not run as skipped.
    pub(crate) fn finish(self) {
        for name in self.names.iter().skip(self.next) {
            let step = Step {
                number: self.recorder.steps.len() + 1,
                provider: self.provider,
                flow: self.flow,
                name,
                outcome: Outcome::Skipped,
                elapsed: Duration::ZERO,
                requests: Vec::new(),
            };
            self.recorder.progress.finished(&step, self.recorder.total);
            self.recorder.steps.push(step);
        }
    }

    /// Runs the flow's next declared step. `body` returns the value later steps need and
    /// the detail to show, or what went wrong.
    pub(crate) async fn step<T, Fut>(&mut self, body: Fut) -> Result<T, Stop>
    where
        Fut: Future<Output = Result<(T, String), String>>,
    {
        let name = self
            .names
            .get(self.next)
            .copied()
            .unwrap_or("(undeclared step)");
        self.next += 1;
        let number = self.recorder.steps.len() + 1;
        self.recorder
            .progress
            .started(number, self.recorder.total, self.provider, name);
        let seen_before = (self.requests)().len();
        let start = Instant::now();
        let result = body.await;
        let elapsed = start.elapsed();
        let requests = (self.requests)().into_iter().skip(seen_before).collect();
        let (value, outcome) = match result {
            Ok((value, detail)) => (Some(value), Outcome::Ok(detail)),
            Err(problem) => (None, Outcome::Failed(problem)),
        };
        let step = Step {
            number,
            provider: self.provider,
            flow: self.flow,
            name,
            outcome,
            elapsed,
            requests,
        };
        self.recorder.progress.finished(&step, self.recorder.total);
        self.recorder.steps.push(step);
        value.ok_or(Stop)
    }
}
