//! The per-file time budget: jobs (one file each) run on supervised worker threads, and a job
//! that takes longer than its budget is given up, so that one pathological file is reported as
//! not analysed while every other file is still linted.
//!
//! How: `threads` workers, each a thread with a [`leaklint_rules::STACK_SIZE`] stack, take jobs
//! in order from a shared counter. The first jobs may form a serial lane ([`run_lanes`]): one
//! worker takes them in order, one after another, before any other job; the others take them
//! only when nothing else is left. A worker notes in its slot which job it runs and when its
//! budget ends, and publishes the phase it is in through [`leaklint_rules::progress`]. The
//! calling thread sleeps until the earliest deadline (or until every job is done); a worker
//! still on its job at the deadline is abandoned: the job is recorded as [`Done::Overran`] with
//! that phase, and a new worker takes the abandoned one's place so the run keeps its
//! parallelism.
//!
//! Rust cannot stop a thread. An abandoned worker runs on until its job ends (its result is
//! then dropped) or the process exits, keeping a core and the job's memory until then; the
//! command line exits as soon as the report is written, so at most the rest of the run pays
//! for it.
//!
//! Cost when nothing overruns: a clock read and two uncontended locks per job, and one wake-up
//! of the calling thread per budget (10 s by default), instead of rayon's work stealing; jobs
//! are whole files, so the counter hands them out as fast as stealing would.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use leaklint_rules::progress::{self, Phase, Progress};

/// A budget given in seconds (`--file-budget`, `file_budget` in `leaklint.toml`): a number of
/// seconds, 0 for no budget. Errors: negative, not a number, or beyond a year.
pub fn seconds(value: f64) -> Result<Duration, String> {
    const YEAR: f64 = 365.0 * 24.0 * 3600.0;
    if !(0.0..=YEAR).contains(&value) {
        return Err(format!(
            "a time budget is a number of seconds from 0 (no budget) to {YEAR}, not {value}"
        ));
    }
    Ok(Duration::from_secs_f64(value))
}

/// What became of one job.
#[derive(Debug)]
pub enum Done<T> {
    Finished(T),
    /// Still running when its budget ran out, in this phase.
    Overran {
        phase: Phase,
        budget: Duration,
    },
    /// The job panicked (a bug: the caller reports an internal error for it).
    Panicked,
    /// No thread could be started to run it.
    NotStarted(String),
}

/// Runs `work` on every job, at most `threads` at once, each job within its budget (`None`: no
/// limit). The results are in the order of `jobs`. Errors: the first worker thread cannot be
/// started.
pub fn run<J, T, F>(
    jobs: Vec<(J, Option<Duration>)>,
    threads: usize,
    work: F,
) -> Result<Vec<Done<T>>, String>
where
    J: Send + Sync + 'static,
    T: Send + 'static,
    F: Fn(&J) -> T + Send + Sync + 'static,
{
    run_lanes(jobs, 0, threads, work).map(|(done, _)| done)
}

/// [`run`], where the first `serial` jobs are a lane of their own: one worker takes them in
/// order before anything else, and the other workers take them only once every other job is
/// taken. For large files, which each take a lot of memory for a short time: one after another
/// on one thread, each reuses the memory the one before it freed (and that thread's allocator
/// already holds), where side by side they would add up to the run's peak. Also returns how
/// long before the end the first worker found no job left (the tail during which fewer workers
/// than `threads` were busy; zero with one job or less).
pub fn run_lanes<J, T, F>(
    jobs: Vec<(J, Option<Duration>)>,
    serial: usize,
    threads: usize,
    work: F,
) -> Result<(Vec<Done<T>>, Duration), String>
where
    J: Send + Sync + 'static,
    T: Send + 'static,
    F: Fn(&J) -> T + Send + Sync + 'static,
{
    let n = jobs.len();
    let serial = serial.min(n);
    // Jobs started after a look at the slots end no earlier than this after it: the longest
    // the calling thread may sleep without missing a deadline.
    let shortest = jobs.iter().filter_map(|(_, b)| *b).min();
    let shared = Arc::new(Shared {
        jobs,
        serial,
        next_serial: AtomicUsize::new(0),
        next: AtomicUsize::new(serial),
        state: Mutex::new(State {
            results: (0..n).map(|_| None).collect(),
            remaining: n,
        }),
        all_done: Condvar::new(),
        first_idle: std::sync::OnceLock::new(),
        work,
    });
    let mut workers: Vec<Arc<Worker>> = Vec::new();
    for i in 0..threads.clamp(1, n.max(1)) {
        match start(&shared, i == 0) {
            Ok(worker) => workers.push(worker),
            Err(e) if workers.is_empty() => return Err(e),
            // Fewer workers than asked: slower, not wrong.
            Err(_) => break,
        }
    }
    loop {
        let now = Instant::now();
        let mut earliest: Option<Instant> = None;
        let mut overran = Vec::new();
        workers.retain(|worker| {
            let mut slot = lock(&worker.slot);
            match slot.busy {
                Some(busy) if busy.deadline <= now => {
                    slot.abandoned = true;
                    overran.push((busy.job, worker.progress.get(), busy.budget, worker.serial));
                    false
                }
                Some(busy) => {
                    earliest = Some(earliest.map_or(busy.deadline, |e| e.min(busy.deadline)));
                    true
                }
                None => true,
            }
        });
        for (job, phase, budget, serial) in overran {
            shared.finish(job, Done::Overran { phase, budget });
            if shared.untaken() {
                // The new worker takes the serial lane over if the abandoned one had it.
                match start(&shared, serial) {
                    Ok(worker) => workers.push(worker),
                    Err(e) if workers.is_empty() => shared.give_up(&e),
                    Err(_) => {}
                }
            }
        }
        let state = lock(&shared.state);
        if state.remaining == 0 {
            break;
        }
        let wait = match (earliest, shortest) {
            (Some(e), Some(s)) => Some(e.saturating_duration_since(now).min(s)),
            (None, s) => s,
            (e, None) => e.map(|e| e.saturating_duration_since(now)),
        };
        let state = match wait {
            Some(wait) => {
                shared
                    .all_done
                    .wait_timeout(state, wait)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
            None => shared
                .all_done
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner),
        };
        if state.remaining == 0 {
            break;
        }
    }
    let tail = shared
        .first_idle
        .get()
        .map_or(Duration::ZERO, |idle| idle.elapsed());
    let mut state = lock(&shared.state);
    let done = state
        .results
        .iter_mut()
        .map(|r| r.take().unwrap_or(Done::Panicked))
        .collect();
    Ok((done, tail))
}

struct Shared<J, T, F> {
    jobs: Vec<(J, Option<Duration>)>,
    /// `jobs[..serial]` is the serial lane (see [`run_lanes`]).
    serial: usize,
    /// The next job of the serial lane (may count past its end).
    next_serial: AtomicUsize,
    /// The next job of the others (from `serial`; may count past the end).
    next: AtomicUsize,
    state: Mutex<State<T>>,
    all_done: Condvar,
    /// When a worker first found no job left.
    first_idle: std::sync::OnceLock<Instant>,
    work: F,
}

struct State<T> {
    results: Vec<Option<Done<T>>>,
    remaining: usize,
}

impl<J, T, F> Shared<J, T, F> {
    /// Takes the next job: the serial lane's first for the worker that has it, the others'
    /// first for any other worker. None when every job is taken.
    fn take(&self, serial_worker: bool) -> Option<usize> {
        let from_serial = || {
            let job = self.next_serial.fetch_add(1, Ordering::Relaxed);
            (job < self.serial).then_some(job)
        };
        let from_others = || {
            let job = self.next.fetch_add(1, Ordering::Relaxed);
            (job < self.jobs.len()).then_some(job)
        };
        if serial_worker {
            from_serial().or_else(from_others)
        } else {
            from_others().or_else(from_serial)
        }
    }

    /// Is some job not taken yet?
    fn untaken(&self) -> bool {
        self.next_serial.load(Ordering::Relaxed) < self.serial
            || self.next.load(Ordering::Relaxed) < self.jobs.len()
    }

    fn finish(&self, job: usize, done: Done<T>) {
        let mut state = lock(&self.state);
        state.results[job] = Some(done);
        state.remaining -= 1;
        if state.remaining == 0 {
            self.all_done.notify_all();
        }
    }

    /// No worker is left and none can be started: every job not yet taken fails.
    fn give_up(&self, error: &str) {
        while let Some(job) = self.take(false) {
            self.finish(
                job,
                Done::NotStarted(format!("cannot start a worker thread: {error}")),
            );
        }
    }
}

struct Worker {
    /// Takes the serial lane's jobs first.
    serial: bool,
    slot: Mutex<Slot>,
    progress: Arc<Progress>,
}

#[derive(Default)]
struct Slot {
    busy: Option<Busy>,
    /// Given up on by the supervisor: its current result is dropped and it takes no more jobs.
    abandoned: bool,
}

#[derive(Clone, Copy)]
struct Busy {
    job: usize,
    deadline: Instant,
    budget: Duration,
}

fn start<J, T, F>(shared: &Arc<Shared<J, T, F>>, serial: bool) -> Result<Arc<Worker>, String>
where
    J: Send + Sync + 'static,
    T: Send + 'static,
    F: Fn(&J) -> T + Send + Sync + 'static,
{
    let worker = Arc::new(Worker {
        serial,
        slot: Mutex::default(),
        progress: Arc::default(),
    });
    let (me, shared) = (Arc::clone(&worker), Arc::clone(shared));
    std::thread::Builder::new()
        .name("leaklint-file".into())
        .stack_size(leaklint_rules::STACK_SIZE)
        .spawn(move || work_on(&me, &shared))
        .map_err(|e| format!("cannot start a worker thread: {e}"))?;
    Ok(worker)
}

fn work_on<J, T, F>(me: &Worker, shared: &Shared<J, T, F>)
where
    F: Fn(&J) -> T,
{
    progress::watch(Arc::clone(&me.progress));
    loop {
        let Some(job) = shared.take(me.serial) else {
            let _ = shared.first_idle.set(Instant::now());
            return;
        };
        let (input, budget) = &shared.jobs[job];
        {
            let mut slot = lock(&me.slot);
            if slot.abandoned {
                return;
            }
            slot.busy = budget.map(|budget| Busy {
                job,
                deadline: Instant::now() + budget,
                budget,
            });
        }
        me.progress.set(Phase::Idle);
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| (shared.work)(input)));
        {
            let mut slot = lock(&me.slot);
            if slot.abandoned {
                // The job was reported as overrun; this result comes too late.
                return;
            }
            slot.busy = None;
        }
        shared.finish(
            job,
            match result {
                Ok(t) => Done::Finished(t),
                Err(_) => Done::Panicked,
            },
        );
    }
}

/// A poisoned lock here only means a job panicked while another thread waited; the data
/// (slots, results) is written whole under the lock, so it is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_job_finishes_in_order() {
        let jobs = (0..100u64).map(|i| (i, Some(Duration::from_secs(60))));
        let done = run(jobs.collect(), 3, |i| i * 2).unwrap();
        let values: Vec<u64> = done
            .into_iter()
            .map(|d| match d {
                Done::Finished(v) => v,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(values, (0..100).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn one_worker_takes_the_serial_lane_in_order() {
        // Jobs 0..3 are the serial lane. Job 0 waits until another worker has started a job
        // of the others (without a lane, that worker would take job 1 first and the lane would
        // run on two threads); the others wait until the lane's last job is done, so the other
        // worker, stuck on one of them, cannot run out of jobs and take one of the lane's.
        // Each wait gives up after a minute rather than hang.
        #[derive(Default)]
        struct Seen {
            other_started: bool,
            lane_done: bool,
        }
        let seen = Arc::new((Mutex::new(Seen::default()), Condvar::new()));
        let ran = Arc::new(Mutex::new(Vec::new()));
        let (shared_seen, log) = (Arc::clone(&seen), Arc::clone(&ran));
        let jobs = (0..40u32).map(|i| (i, Some(Duration::from_secs(60))));
        let (done, _) = run_lanes(jobs.collect(), 3, 2, move |&i| {
            let (seen, changed) = &*shared_seen;
            let wait_for = |until: fn(&Seen) -> bool| {
                let guard = lock(seen);
                let _ = changed
                    .wait_timeout_while(guard, Duration::from_secs(60), |s| !until(s))
                    .unwrap_or_else(PoisonError::into_inner);
            };
            if i >= 3 {
                lock(seen).other_started = true;
                changed.notify_all();
                wait_for(|s| s.lane_done);
            } else if i == 0 {
                wait_for(|s| s.other_started);
            }
            lock(&log).push((i, std::thread::current().id()));
            if i == 2 {
                lock(seen).lane_done = true;
                changed.notify_all();
            }
            i
        })
        .unwrap();
        assert!(
            done.iter()
                .enumerate()
                .all(|(i, d)| matches!(d, Done::Finished(v) if *v as usize == i))
        );
        let ran = lock(&ran);
        let lane: Vec<_> = ran.iter().filter(|(i, _)| *i < 3).collect();
        assert_eq!(
            lane.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            vec![0, 1, 2],
            "in order"
        );
        assert!(lane.iter().all(|(_, t)| *t == lane[0].1), "on one thread");
        assert_eq!(ran.len(), 40);
    }

    #[test]
    fn a_job_past_its_budget_is_given_up_and_the_others_finish() {
        // Job 1 blocks until the test lets it go (after the run returned): a stuck job must
        // not hold the run.
        let (release, stuck) = std::sync::mpsc::channel::<()>();
        let stuck = Mutex::new(stuck);
        let jobs = (0..20u32).map(|i| (i, Some(Duration::from_millis(200))));
        let started = Instant::now();
        let done = run(jobs.collect(), 2, move |&i| {
            if i == 1 {
                progress::enter(Phase::Model);
                let _ = lock(&stuck).recv();
            }
            i
        })
        .unwrap();
        assert!(started.elapsed() < Duration::from_secs(30));
        for (i, d) in done.iter().enumerate() {
            match (i, d) {
                (1, Done::Overran { phase, budget }) => {
                    assert_eq!(*phase, Phase::Model);
                    assert_eq!(*budget, Duration::from_millis(200));
                }
                (i, Done::Finished(v)) if i != 1 => assert_eq!(*v as usize, i),
                other => panic!("{other:?}"),
            }
        }
        let _ = release.send(());
    }

    #[test]
    fn no_budget_waits_and_a_panic_is_one_jobs_result() {
        let jobs = (0..5u32).map(|i| (i, None));
        let done = run(jobs.collect(), 2, |&i| {
            if i == 3 {
                panic!("a bug in one file");
            }
            std::thread::sleep(Duration::from_millis(20));
            i
        })
        .unwrap();
        assert!(matches!(done[3], Done::Panicked));
        assert!(matches!(done[4], Done::Finished(4)));
    }

    #[test]
    fn budgets_in_seconds() {
        assert_eq!(seconds(0.5), Ok(Duration::from_millis(500)));
        assert_eq!(seconds(0.0), Ok(Duration::ZERO));
        assert!(seconds(-1.0).unwrap_err().contains("not -1"));
        assert!(seconds(f64::NAN).is_err());
        assert!(seconds(1e300).is_err());
    }

    #[test]
    fn no_jobs() {
        let done = run(Vec::<((), _)>::new(), 2, |_| ()).unwrap();
        assert!(done.is_empty());
    }
}
