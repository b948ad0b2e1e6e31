//! When to send again, how long to wait, and how to stay under the service's limits.
//!
//! Pure logic over times in milliseconds: the transport supplies the clock and
//! the random numbers, so every decision here is tested natively.

use std::collections::{HashMap, VecDeque};

use crate::actions::{Action, Shape};
use crate::config::Policy;
use crate::error::Error;

/// The service's answer when a signature's timestamp is more than 10 minutes off.
pub const CODE_SIGNATURE_EXPIRED: i64 = 100000004;
/// The service's answer when an action's rate limit or daily quota is spent.
pub const CODE_RATE_LIMITED: i64 = 30002;

const DAY_MS: f64 = 86_400_000.0;

/// The `Date` headers a clock resync trusts: 2020-01-01 to 2100-01-01. A header outside
/// (a proxy's 1970 placeholder, a garbage year) would teach an offset that breaks every
/// later call.
const SANE_DATES_MS: (f64, f64) = (1_577_836_800_000.0, 4_102_444_800_000.0);

/// An action's limits per AppId.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Calls allowed per window.
    pub calls: usize,
    /// The rolling window, in milliseconds.
    pub window_ms: f64,
    /// Calls allowed per UTC day.
    pub daily: u32,
}

impl Limits {
    /// The documented limits of `action`.
    pub fn of(action: Action) -> Limits {
        match action.shape() {
            Shape::StreamInfo | Shape::QualityDetail => Limits {
                calls: 3,
                window_ms: 1_000.0,
                daily: 10_000,
            },
            _ => Limits {
                calls: 3,
                window_ms: 60_000.0,
                daily: 480,
            },
        }
    }

    /// The window the client keeps: the documented one plus a margin, so that calls
    /// spaced exactly one window apart cannot arrive closer after network jitter.
    fn spacing_ms(self) -> f64 {
        self.window_ms + self.window_ms / 20.0
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Send again after waiting this long, re-signed.
    Retry {
        /// The wait, in milliseconds.
        delay_ms: f64,
    },
    /// The clock is off: keep this offset, re-sign and send again at once.
    Resync {
        /// The new clock offset, in milliseconds.
        offset_ms: i64,
    },
    /// Give up; `retry_after_ms` is set when a retry was wanted but needed a longer wait
    /// than the caller allows.
    Fail {
        /// The wait a retry would have needed.
        retry_after_ms: Option<f64>,
    },
}

/// Everything [`next`] considers about one failed attempt.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    /// The failure.
    pub error: &'a Error,
    /// The action called.
    pub action: Action,
    /// Retries already made (not counting a clock resync).
    pub retries: u32,
    /// Whether the clock was already resynced during this call.
    pub resynced: bool,
    /// The answer's `Date` header as Unix milliseconds, when there was one.
    pub server_date_ms: Option<f64>,
    /// The local clock, in Unix milliseconds, when the answer arrived.
    pub now_ms: f64,
    /// When the client's own record of the action's window frees a slot, if it has one.
    pub window_free_at_ms: Option<f64>,
    /// A random number in [0, 1) for the jitter.
    pub random: f64,
}

/// Decides what follows a failed attempt under `policy`.
pub fn next(policy: &Policy, a: &Attempt) -> Next {
    let code = a.error.code();
    let sane_date = a
        .server_date_ms
        .filter(|ms| (SANE_DATES_MS.0..SANE_DATES_MS.1).contains(ms));
    if let (Error::Api { .. }, Some(CODE_SIGNATURE_EXPIRED), Some(date), false) =
        (a.error, code, sane_date, a.resynced)
    {
        // The Date header has whole seconds; the offset is exact enough for a
        // 10-minute tolerance.
        return Next::Resync {
            offset_ms: (date - a.now_ms).round() as i64,
        };
    }
    if !a.error.retryable() || a.retries >= policy.max_retries {
        return Next::Fail {
            retry_after_ms: None,
        };
    }

    let delay_ms = if code == Some(CODE_RATE_LIMITED) {
        let window = Limits::of(a.action).spacing_ms();
        match a.window_free_at_ms {
            Some(at) => (at - a.now_ms).clamp(0.0, window),
            None => window,
        }
    } else {
        backoff_ms(policy, a.retries, a.random)
    };
    if delay_ms > policy.max_retry_delay_ms as f64 {
        return Next::Fail {
            retry_after_ms: Some(delay_ms.ceil()),
        };
    }
    Next::Retry { delay_ms }
}

/// Exponential backoff with jitter: `base * 2^retries`, capped at the longest allowed
/// wait, then scaled by a random factor in [0.5, 1) so that many clients that failed
/// together do not come back together.
pub fn backoff_ms(policy: &Policy, retries: u32, random: f64) -> f64 {
    let step = policy.retry_base_delay_ms as f64 * 2f64.powi(retries.min(30) as i32);
    let capped = step.min(policy.max_retry_delay_ms as f64);
    capped * (0.5 + random.clamp(0.0, 1.0) / 2.0)
}

/// A place in an action's window, kept by [`RateLimiter::reserve`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    /// Which reservation this is.
    pub id: u64,
    /// When the call may be sent, in Unix milliseconds.
    pub at_ms: f64,
}

/// Why the limiter refused a call outright.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// The action's daily quota for this AppId is spent; it renews at the next UTC
    /// midnight.
    QuotaSpent {
        /// The quota.
        daily: u32,
        /// Milliseconds until it renews.
        retry_after_ms: f64,
    },
    /// The call would have to wait longer than the caller allows.
    TooLong {
        /// The wait it would need.
        retry_after_ms: f64,
    },
}

impl Refusal {
    /// The error to give the caller; nothing was sent.
    pub fn to_error(&self, action: Action, app_id: u32) -> (Error, f64) {
        match *self {
            Refusal::QuotaSpent {
                daily,
                retry_after_ms,
            } => (
                Error::Api {
                    code: CODE_RATE_LIMITED,
                    message: format!(
                        "not sent: this process has made the {daily} {} calls the service \
                         allows AppId {app_id} per UTC day",
                        action.name()
                    ),
                    request_id: None,
                },
                retry_after_ms,
            ),
            Refusal::TooLong { retry_after_ms } => (
                Error::Api {
                    code: CODE_RATE_LIMITED,
                    message: format!(
                        "not sent: {} allows {}; the next free slot is {} ms away, longer \
                         than maxRetryDelayMs",
                        action.name(),
                        action.limit(),
                        retry_after_ms.ceil()
                    ),
                    request_id: None,
                },
                retry_after_ms,
            ),
        }
    }
}

/// One call's place in a window.
#[derive(Debug, Clone, Copy)]
struct Entry {
    id: u64,
    /// When it is planned to go; once sent, when it went; once answered, when the answer
    /// came (no earlier than when the service counted it).
    at: f64,
    sent: bool,
    answered: bool,
}

impl Entry {
    /// The latest time the service may have counted this call, as known at `now_ms`: a
    /// call sent but not yet answered may be counted at any moment, so it counts as now.
    fn counted(&self, now_ms: f64) -> f64 {
        if self.sent && !self.answered {
            self.at.max(now_ms)
        } else {
            self.at
        }
    }
}

#[derive(Debug, Default)]
struct Window {
    /// Calls queued, in flight, and answered within the last window, in the order they
    /// asked for their place.
    slots: VecDeque<Entry>,
    /// The UTC day (days since the epoch) `count` is for.
    day: i64,
    /// Calls counted on `day`.
    count: u32,
}

impl Window {
    /// Forgets answered calls that left the window.
    fn prune(&mut self, limits: Limits, now_ms: f64) {
        self.slots
            .retain(|e| !e.answered || e.at + limits.spacing_ms() > now_ms);
    }

    /// When a call may go, given the calls in `before`: once the `calls`-th latest of
    /// them is a whole window ago.
    fn due(limits: Limits, now_ms: f64, before: impl Iterator<Item = Entry>) -> f64 {
        let mut times: Vec<f64> = before.map(|e| e.counted(now_ms)).collect();
        if times.len() < limits.calls {
            return now_ms;
        }
        times.sort_by(|a, b| b.total_cmp(a));
        now_ms.max(times[limits.calls - 1] + limits.spacing_ms())
    }
}

/// Spaces calls per AppId and action so they stay under the service's limits, and
/// counts the daily quotas. Calls get their places in the order they ask.
///
/// A call in flight counts as if the service received it just now, and an answered one
/// from when its answer came, never earlier than the service may have counted it: so a
/// slow first request (a cold connection) cannot let the fourth arrive too soon.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: HashMap<(u32, Action), Window>,
    next_id: u64,
}

impl RateLimiter {
    /// An empty limiter.
    pub fn new() -> RateLimiter {
        RateLimiter::default()
    }

    /// Reserves the next place for a call at `now_ms`, unless the daily quota is spent or
    /// the wait would exceed `max_wait_ms`.
    pub fn reserve(
        &mut self,
        app_id: u32,
        action: Action,
        now_ms: f64,
        max_wait_ms: f64,
    ) -> Result<Slot, Refusal> {
        let limits = Limits::of(action);
        let w = self.windows.entry((app_id, action)).or_default();
        w.prune(limits, now_ms);

        let at_ms = Window::due(limits, now_ms, w.slots.iter().copied());
        if at_ms - now_ms > max_wait_ms {
            return Err(Refusal::TooLong {
                retry_after_ms: at_ms - now_ms,
            });
        }
        let day = (at_ms / DAY_MS).floor() as i64;
        if w.day != day {
            w.day = day;
            w.count = 0;
        }
        if w.count >= limits.daily {
            let retry_after_ms = (day + 1) as f64 * DAY_MS - now_ms;
            return Err(Refusal::QuotaSpent {
                daily: limits.daily,
                retry_after_ms,
            });
        }
        w.count += 1;
        self.next_id += 1;
        w.slots.push_back(Entry {
            id: self.next_id,
            at: at_ms,
            sent: false,
            answered: false,
        });
        Ok(Slot {
            id: self.next_id,
            at_ms,
        })
    }

    /// How much longer a reserved call must wait at `now_ms`, given what is known now
    /// about the calls ahead of it and those already sent. Zero when it may go; it then
    /// counts as sent at `now_ms`.
    pub fn wait_ms(&mut self, app_id: u32, action: Action, slot: Slot, now_ms: f64) -> f64 {
        let limits = Limits::of(action);
        let Some(w) = self.windows.get_mut(&(app_id, action)) else {
            return 0.0;
        };
        w.prune(limits, now_ms);
        let others = w
            .slots
            .iter()
            .copied()
            .filter(|e| e.id != slot.id && (e.id < slot.id || e.sent));
        let wait = Window::due(limits, now_ms, others) - now_ms;
        if wait > 0.0 {
            return wait;
        }
        if let Some(e) = w.slots.iter_mut().find(|e| e.id == slot.id) {
            e.at = now_ms;
            e.sent = true;
        }
        0.0
    }

    /// Records that the answer to a call came at `done_ms`.
    pub fn settle(&mut self, app_id: u32, action: Action, slot: Slot, done_ms: f64) {
        if let Some(w) = self.windows.get_mut(&(app_id, action)) {
            if let Some(e) = w.slots.iter_mut().find(|e| e.id == slot.id) {
                e.at = e.at.max(done_ms);
                e.sent = true;
                e.answered = true;
            }
        }
    }

    /// Gives back a place whose call was cancelled before it was sent.
    pub fn release(&mut self, app_id: u32, action: Action, slot: Slot) {
        if let Some(w) = self.windows.get_mut(&(app_id, action)) {
            if let Some(i) = w.slots.iter().position(|e| e.id == slot.id) {
                w.slots.remove(i);
                if w.day == (slot.at_ms / DAY_MS).floor() as i64 {
                    w.count = w.count.saturating_sub(1);
                }
            }
        }
    }

    /// When the next call of `action` could go, by this limiter's record at `now_ms`.
    pub fn free_at(&self, app_id: u32, action: Action, now_ms: f64) -> Option<f64> {
        let limits = Limits::of(action);
        let w = self.windows.get(&(app_id, action))?;
        let due = Window::due(limits, now_ms, w.slots.iter().copied());
        (due > now_ms).then_some(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: f64 = 1_736_467_200_000.0; // 2025-01-10T00:00:00Z

    fn api(code: i64) -> Error {
        Error::Api {
            code,
            message: String::new(),
            request_id: None,
        }
    }

    fn attempt(error: &Error, retries: u32) -> Attempt<'_> {
        Attempt {
            error,
            action: Action::BizUsage,
            retries,
            resynced: false,
            server_date_ms: None,
            now_ms: T0,
            window_free_at_ms: None,
            random: 0.5,
        }
    }

    #[test]
    fn transient_failures_back_off_exponentially() {
        let p = Policy::default();
        let e = Error::Http {
            status: 502,
            excerpt: String::new(),
            code: None,
            request_id: None,
        };
        assert_eq!(next(&p, &attempt(&e, 0)), Next::Retry { delay_ms: 375.0 });
        assert_eq!(next(&p, &attempt(&e, 1)), Next::Retry { delay_ms: 750.0 });
        assert_eq!(
            next(&p, &attempt(&e, 2)),
            Next::Fail {
                retry_after_ms: None
            }
        );
        assert_eq!(backoff_ms(&p, 0, 0.0), 250.0);
        assert_eq!(backoff_ms(&p, 1, 0.25), 625.0);
        assert_eq!(backoff_ms(&p, 20, 1.0), 30_000.0);
        for e in [
            api(500),
            api(100000015),
            Error::Timeout { ms: 1 },
            Error::Network {
                message: String::new(),
            },
        ] {
            assert!(
                matches!(next(&p, &attempt(&e, 0)), Next::Retry { .. }),
                "{e:?}"
            );
        }
    }

    #[test]
    fn permanent_failures_are_never_retried() {
        let p = Policy::default();
        for e in [
            api(10001),
            api(10002),
            api(100000005),
            api(100000001),
            Error::Aborted,
            Error::parse("x"),
            Error::validation("x", "y"),
        ] {
            assert_eq!(
                next(&p, &attempt(&e, 0)),
                Next::Fail {
                    retry_after_ms: None
                },
                "{e:?}"
            );
        }
        let off = Policy {
            max_retries: 0,
            ..Policy::default()
        };
        assert_eq!(
            next(&off, &attempt(&api(500), 0)),
            Next::Fail {
                retry_after_ms: None
            }
        );
    }

    #[test]
    fn rate_limited_calls_wait_for_the_window() {
        let p = Policy {
            max_retry_delay_ms: 120_000,
            ..Policy::default()
        };
        let e = api(CODE_RATE_LIMITED);
        assert_eq!(
            next(&p, &attempt(&e, 0)),
            Next::Retry { delay_ms: 63_000.0 }
        );
        let a = Attempt {
            window_free_at_ms: Some(T0 + 12_000.0),
            ..attempt(&e, 0)
        };
        assert_eq!(next(&p, &a), Next::Retry { delay_ms: 12_000.0 });
        let short = Policy::default();
        assert_eq!(
            next(&short, &attempt(&e, 0)),
            Next::Fail {
                retry_after_ms: Some(63_000.0)
            }
        );
        let a = Attempt {
            action: Action::PlayQualityDetail,
            ..attempt(&e, 0)
        };
        assert_eq!(next(&short, &a), Next::Retry { delay_ms: 1_050.0 });
    }

    #[test]
    fn expired_signatures_resync_once() {
        let p = Policy {
            max_retries: 0,
            ..Policy::default()
        };
        let e = api(CODE_SIGNATURE_EXPIRED);
        let a = Attempt {
            server_date_ms: Some(T0 + 1_200_000.0),
            ..attempt(&e, 0)
        };
        assert_eq!(
            next(&p, &a),
            Next::Resync {
                offset_ms: 1_200_000
            }
        );
        let again = Attempt {
            resynced: true,
            ..a.clone()
        };
        assert_eq!(
            next(&p, &again),
            Next::Fail {
                retry_after_ms: None
            }
        );
        let no_date = attempt(&e, 0);
        assert_eq!(
            next(&p, &no_date),
            Next::Fail {
                retry_after_ms: None
            }
        );
    }

    /// Reserves, sends at once if due, and answers after `latency` ms; returns the place.
    fn call(l: &mut RateLimiter, a: Action, now: f64, latency: f64) -> (Slot, f64) {
        let slot = l.reserve(1, a, now, 1e9).unwrap();
        let mut t = now;
        loop {
            let wait = l.wait_ms(1, a, slot, t);
            if wait == 0.0 {
                break;
            }
            t += wait;
        }
        l.settle(1, a, slot, t + latency);
        (slot, t)
    }

    #[test]
    fn limiter_spaces_calls_in_order() {
        let mut l = RateLimiter::new();
        let a = Action::StreamBaseInfo;
        let at = |s: Result<Slot, Refusal>| s.map(|s| s.at_ms - T0);
        assert_eq!(at(l.reserve(1, a, T0, 1e9)), Ok(0.0));
        assert_eq!(at(l.reserve(1, a, T0, 1e9)), Ok(0.0));
        assert_eq!(at(l.reserve(1, a, T0 + 10.0, 1e9)), Ok(10.0));
        assert_eq!(at(l.reserve(1, a, T0 + 20.0, 1e9)), Ok(1_050.0));
        assert_eq!(at(l.reserve(1, a, T0 + 20.0, 1e9)), Ok(1_050.0));
        assert_eq!(at(l.reserve(1, a, T0 + 20.0, 1e9)), Ok(1_060.0));
        assert_eq!(at(l.reserve(1, a, T0 + 20.0, 1e9)), Ok(2_100.0));
        // Other AppIds and actions have windows of their own.
        assert_eq!(at(l.reserve(2, a, T0 + 20.0, 1e9)), Ok(20.0));
        assert_eq!(
            at(l.reserve(1, Action::PlayQualityDetail, T0 + 20.0, 1e9)),
            Ok(20.0)
        );
        assert_eq!(l.free_at(1, a, T0 + 20.0), Some(T0 + 2_100.0));
    }

    #[test]
    fn no_four_calls_are_counted_within_a_window() {
        let a = Action::PlayQualityDetail;
        let mut l = RateLimiter::new();
        let mut counted = Vec::new();
        let mut now = T0;
        for i in 0..40u32 {
            // Latencies vary from 1 ms to 700 ms, the slowest first.
            let latency = f64::from((40 - i) * 17 % 700 + 1);
            let (_, sent) = call(&mut l, a, now, latency);
            counted.push(sent + latency);
            now = sent + f64::from(i % 3) * 5.0;
        }
        counted.sort_by(f64::total_cmp);
        for w in counted.windows(4) {
            assert!(w[3] - w[0] >= 1_000.0, "four calls counted within {:?}", w);
        }
    }

    #[test]
    fn unanswered_calls_count_as_now() {
        let mut l = RateLimiter::new();
        let a = Action::StreamBaseInfo;
        let slow: Vec<Slot> = (0..3).map(|_| l.reserve(1, a, T0, 1e9).unwrap()).collect();
        for s in &slow {
            assert_eq!(l.wait_ms(1, a, *s, T0), 0.0);
        }
        // 1.5 s later none of the three has been answered: the service may count them
        // at any moment, so a fourth waits for a whole window after the answers.
        let fourth = l.reserve(1, a, T0 + 1_500.0, 1e9).unwrap();
        assert_eq!(fourth.at_ms, T0 + 2_550.0);
        for s in &slow {
            l.settle(1, a, *s, T0 + 1_600.0);
        }
        assert_eq!(l.wait_ms(1, a, fourth, T0 + 2_550.0), 100.0);
        assert_eq!(l.wait_ms(1, a, fourth, T0 + 2_650.0), 0.0);
    }

    #[test]
    fn limiter_refuses_long_waits_and_releases_cancelled_slots() {
        let mut l = RateLimiter::new();
        let a = Action::BizUsage;
        for _ in 0..3 {
            call(&mut l, a, T0, 0.0);
        }
        assert_eq!(
            l.reserve(1, a, T0 + 1_000.0, 30_000.0),
            Err(Refusal::TooLong {
                retry_after_ms: 62_000.0
            })
        );
        let slot = l.reserve(1, a, T0 + 1_000.0, 70_000.0).unwrap();
        assert_eq!(slot.at_ms, T0 + 63_000.0);
        l.release(1, a, slot);
        assert_eq!(
            l.reserve(1, a, T0 + 1_000.0, 70_000.0).unwrap().at_ms,
            T0 + 63_000.0
        );
    }

    #[test]
    fn daily_quota_is_counted_per_utc_day() {
        let mut l = RateLimiter::new();
        let a = Action::PublishQualityDetail;
        // Three calls per 1.05 s window: 10000 calls fit in one day.
        let mut now = T0;
        for _ in 0..10_000 {
            now = call(&mut l, a, now, 0.0).1;
        }
        let Err(Refusal::QuotaSpent {
            daily,
            retry_after_ms,
        }) = l.reserve(1, a, now, 1e9)
        else {
            panic!("the 10001st call of the day was allowed")
        };
        assert_eq!(daily, 10_000);
        assert_eq!(retry_after_ms, T0 + DAY_MS - now);
        let (e, after) = Refusal::QuotaSpent {
            daily,
            retry_after_ms,
        }
        .to_error(a, 1);
        assert_eq!(
            (e.code(), e.retryable(), after),
            (Some(30002), true, retry_after_ms)
        );
        // The next UTC day starts afresh.
        assert!(l.reserve(1, a, T0 + DAY_MS, 1e9).is_ok());
    }
}
