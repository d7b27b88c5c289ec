//! The fixtures' shared world: the state that fixture tools change, and who
//! hears about the changes.
//!
//! There is one world per process (the tool, prompt and resource sets must
//! not vary per connection: TOOLS-003, PROMPTS-002, RESOURCES-002), so a
//! change made over one connection is seen, and notified, on every other:
//!
//! * `toggle` adds or removes one item in each list at once: the tool
//!   `toggled`, the prompt `toggled` and the resource `ref://toggled`. Every
//!   change is announced as `notifications/tools/list_changed`,
//!   `notifications/prompts/list_changed` and
//!   `notifications/resources/list_changed`.
//! * `touch` bumps the counter behind `ref://counter`, announced as
//!   `notifications/resources/updated {uri: "ref://counter"}`.
//! * `slow` counts its calls (started, completed, cancelled), readable as
//!   `ref://slow-calls`, so that a client can see that a cancellation
//!   really stopped the work (HTTP-014, UTIL-003).
//!
//! Who hears an announcement:
//!
//! * **Handshake-era sessions** ([`Peer`]s registered by
//!   [`Peer::add_outlet`]): every initialized session gets the list changes
//!   (L-LIST-001), and the updates of the URIs it subscribed to with
//!   `resources/subscribe` (L-RES-001), on one of its outlets.
//! * **2026-07-28 `subscriptions/listen` streams** ([`World::listen`]):
//!   only the notification types their filter asked for (SUBS-001), each
//!   tagged with `_meta["io.modelcontextprotocol/subscriptionId"]` (SUBS-004).
//!
//! Delivery never waits: a stream that is full misses the notification
//! (notifications are hints; the client can always list again).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError, Weak};

use serde_json::{json, Map, Value};

use crate::faults::{Fault, FaultSet};
use crate::peer::{ClientLink, Peer};
use crate::protocol::meta::SUBSCRIPTION_ID;
use crate::protocol::ProtocolVersion;

/// The URI `touch` changes.
pub const COUNTER_URI: &str = "ref://counter";
/// The URI of the item `toggle` adds and removes.
pub const TOGGLED_URI: &str = "ref://toggled";
/// The name of the tool and the prompt `toggle` adds and removes.
pub const TOGGLED_NAME: &str = "toggled";

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What a `subscriptions/listen` stream asked for (a `SubscriptionFilter`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// `toolsListChanged`.
    pub tools: bool,
    /// `promptsListChanged`.
    pub prompts: bool,
    /// `resourcesListChanged`.
    pub resources: bool,
    /// `resourceSubscriptions`.
    pub uris: Vec<String>,
}

/// A change to announce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// The tool, prompt and resource lists all changed (`toggle`).
    Lists,
    /// The resource at this URI changed (`touch`).
    Updated(String),
}

impl Change {
    /// The notifications this change makes: (method, params).
    fn notifications(&self) -> Vec<(&'static str, Map<String, Value>)> {
        match self {
            Change::Lists => vec![
                ("notifications/tools/list_changed", Map::new()),
                ("notifications/prompts/list_changed", Map::new()),
                ("notifications/resources/list_changed", Map::new()),
            ],
            Change::Updated(uri) => {
                let mut params = Map::new();
                params.insert("uri".into(), json!(uri));
                vec![("notifications/resources/updated", params)]
            }
        }
    }
}

impl Filter {
    fn wants(&self, method: &str, params: &Map<String, Value>) -> bool {
        match method {
            "notifications/tools/list_changed" => self.tools,
            "notifications/prompts/list_changed" => self.prompts,
            "notifications/resources/list_changed" => self.resources,
            "notifications/resources/updated" => {
                params.get("uri").and_then(Value::as_str).is_some_and(|uri| self.uris.iter().any(|u| u == uri))
            }
            _ => false,
        }
    }
}

struct Listener {
    key: u64,
    subscription_id: Value,
    filter: Filter,
    link: ClientLink,
}

/// How a session hears announcements: the fault switches of [`World::announce`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Delivery {
    /// `updates-after-unsubscribe`: unsubscribed URIs still get updates.
    pub ignore_unsubscribe: bool,
    /// `resource-list-change-unannounced`: no `notifications/resources/list_changed`.
    pub silent_resource_list: bool,
    /// `prompt-list-change-unannounced`: no `notifications/prompts/list_changed`.
    pub silent_prompt_list: bool,
    /// `listen-resource-updates-dropped`: listen streams get no `notifications/resources/updated`.
    pub listen_drops_updates: bool,
    /// `listen-ids-mixed`: every listen stream's notifications carry the newest subscription's id.
    newest_id_for_all: bool,
    /// `tool-list-change-unannounced`: no `notifications/tools/list_changed`.
    pub silent_tool_list: bool,
}

impl Delivery {
    /// The delivery of a server with these faults.
    pub fn with_faults(faults: FaultSet) -> Delivery {
        Delivery {
            ignore_unsubscribe: faults.contains(Fault::UpdatesAfterUnsubscribe),
            silent_resource_list: faults.contains(Fault::ResourceListChangeUnannounced),
            silent_prompt_list: faults.contains(Fault::PromptListChangeUnannounced),
            listen_drops_updates: faults.contains(Fault::ListenResourceUpdatesDropped),
            newest_id_for_all: faults.contains(Fault::ListenIdsMixed),
            silent_tool_list: faults.contains(Fault::ToolListChangeUnannounced),
        }
    }

    /// Whether the faults keep `method` from being sent at all.
    fn silences(self, method: &str) -> bool {
        match method {
            "notifications/resources/list_changed" => self.silent_resource_list,
            "notifications/prompts/list_changed" => self.silent_prompt_list,
            "notifications/tools/list_changed" => self.silent_tool_list,
            _ => false,
        }
    }
}

/// The process-wide fixture state.
#[derive(Default)]
pub struct World {
    toggled: AtomicBool,
    counter: AtomicU64,
    /// `slow` calls per protocol version: a client testing several
    /// versions side by side on one server reads only its own version's.
    slow: Mutex<BTreeMap<ProtocolVersion, SlowCounts>>,
    sessions: Mutex<Vec<Weak<Peer>>>,
    listeners: Mutex<Vec<Listener>>,
    next_listener: AtomicU64,
}

/// The world of this process.
pub fn world() -> &'static World {
    static WORLD: LazyLock<World> = LazyLock::new(World::default);
    &WORLD
}

/// Ends a listen registration when dropped (the stream's request ended or
/// was cancelled).
pub struct Registration {
    key: u64,
    world: &'static World,
}

impl Drop for Registration {
    fn drop(&mut self) {
        lock(&self.world.listeners).retain(|l| l.key != self.key);
    }
}

/// How the `slow` calls of one protocol version went.
#[derive(Default, Clone, Copy)]
struct SlowCounts {
    started: u64,
    completed: u64,
    cancelled: u64,
}

/// Ends a `slow` call's accounting: completed, or else cancelled.
pub struct SlowCall {
    world: &'static World,
    version: ProtocolVersion,
    completed: bool,
}

impl SlowCall {
    /// The call ran to its end.
    pub fn complete(mut self) {
        self.completed = true;
    }
}

impl Drop for SlowCall {
    fn drop(&mut self) {
        let mut slow = lock(&self.world.slow);
        let counts = slow.entry(self.version).or_default();
        if self.completed {
            counts.completed += 1;
        } else {
            counts.cancelled += 1;
        }
    }
}

impl World {
    /// Whether the toggled item is present.
    pub fn toggled(&self) -> bool {
        self.toggled.load(Ordering::SeqCst)
    }

    /// Sets the toggled item's presence (flips it when `present` is none);
    /// announces the change, if there is one, with `delivery`. Returns the
    /// new presence and whether it changed.
    pub fn toggle(&self, present: Option<bool>, delivery: Delivery) -> (bool, bool) {
        let (before, now) = match present {
            Some(p) => (self.toggled.swap(p, Ordering::SeqCst), p),
            None => {
                let before = self.toggled.fetch_xor(true, Ordering::SeqCst);
                (before, !before)
            }
        };
        let changed = before != now;
        if changed {
            self.announce(&Change::Lists, delivery);
        }
        (now, changed)
    }

    /// The counter behind `ref://counter`.
    pub fn counter(&self) -> u64 {
        self.counter.load(Ordering::SeqCst)
    }

    /// Bumps the counter and announces the update; returns the new value.
    pub fn touch(&self, delivery: Delivery) -> u64 {
        let now = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
        self.announce(&Change::Updated(COUNTER_URI.to_owned()), delivery);
        now
    }

    /// A `slow` call at `version` starts; the returned guard records how it ends.
    pub fn slow_call(&'static self, version: ProtocolVersion) -> SlowCall {
        lock(&self.slow).entry(version).or_default().started += 1;
        SlowCall { world: self, version, completed: false }
    }

    /// `{started, completed, cancelled}` of the `slow` calls at `version` so far.
    pub fn slow_calls(&self, version: ProtocolVersion) -> Value {
        let counts = lock(&self.slow).get(&version).copied().unwrap_or_default();
        json!({
            "started": counts.started,
            "completed": counts.completed,
            "cancelled": counts.cancelled,
        })
    }

    /// Makes a handshake-era session's peer hear announcements.
    pub fn register(&self, peer: &Arc<Peer>) {
        let mut sessions = lock(&self.sessions);
        sessions.retain(|p| p.strong_count() > 0);
        sessions.push(Arc::downgrade(peer));
    }

    /// Opens a listen stream: sends `acknowledgement` (none: the
    /// `listen-no-acknowledgement` fault) on `link` and registers the
    /// stream for `filter` in one step, so that no notification for it can
    /// precede the acknowledgement (SUBS-002). `None` when the stream is
    /// already gone.
    pub async fn listen(
        &'static self,
        subscription_id: Value,
        filter: Filter,
        link: ClientLink,
        acknowledgement: Option<Value>,
    ) -> Option<Registration> {
        let key = self.next_listener.fetch_add(1, Ordering::Relaxed);
        let listener = Listener {
            key,
            subscription_id,
            filter,
            link: link.clone(),
        };
        let registered = link
            .send_first(acknowledgement, || lock(&self.listeners).push(listener))
            .await;
        registered.then_some(Registration { key, world: self })
    }

    /// Sends the notifications of `change` to everyone who should hear it.
    pub fn announce(&self, change: &Change, delivery: Delivery) {
        let mut notifications = change.notifications();
        notifications.retain(|(method, _)| !delivery.silences(method));
        let peers: Vec<Arc<Peer>> = {
            let mut sessions = lock(&self.sessions);
            sessions.retain(|p| p.strong_count() > 0);
            sessions.iter().filter_map(Weak::upgrade).collect()
        };
        for (method, params) in &notifications {
            let uri = params.get("uri").and_then(Value::as_str);
            let mut message = Map::new();
            message.insert("jsonrpc".into(), json!("2.0"));
            message.insert("method".into(), json!(method));
            if !params.is_empty() {
                message.insert("params".into(), Value::Object(params.clone()));
            }
            let message = Value::Object(message);
            for peer in &peers {
                if uri.is_none_or(|uri| peer.is_subscribed(uri, delivery.ignore_unsubscribe)) {
                    peer.push(&message);
                }
            }
        }
        let listeners = lock(&self.listeners);
        let newest = listeners.last().map(|l| l.subscription_id.clone());
        for listener in listeners.iter() {
            let tag = match &newest {
                Some(id) if delivery.newest_id_for_all => id,
                _ => &listener.subscription_id,
            };
            for (method, params) in &notifications {
                let dropped = delivery.listen_drops_updates && *method == "notifications/resources/updated";
                if dropped || !listener.filter.wants(method, params) {
                    continue;
                }
                let mut params = params.clone();
                params.insert("_meta".into(), json!({ SUBSCRIPTION_ID: tag }));
                let sent = listener.link.try_send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
                if !sent {
                    tracing::debug!(subscription = %listener.subscription_id, method, "a listen stream missed a notification");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::sync::mpsc;

    use super::*;

    fn link() -> (ClientLink, mpsc::Receiver<Value>) {
        let (tx, rx) = mpsc::channel(16);
        (ClientLink::new(Peer::new(), tx, Duration::from_secs(1)), rx)
    }

    fn drain(rx: &mut mpsc::Receiver<Value>) -> Vec<Value> {
        let mut out = Vec::new();
        while let Ok(m) = rx.try_recv() {
            out.push(m);
        }
        out
    }

    /// A world of its own, so that tests running side by side do not see
    /// each other's changes.
    fn fresh() -> &'static World {
        Box::leak(Box::new(World::default()))
    }

    #[tokio::test]
    async fn listen_streams_get_what_they_asked_for_after_the_acknowledgement() {
        let w = fresh();
        let (tools_link, mut tools) = link();
        let filter = Filter { tools: true, ..Filter::default() };
        let ack = json!({"ack": 1});
        let _a = w.listen(json!(1), filter, tools_link, Some(ack.clone())).await.unwrap();
        let (uri_link, mut updates) = link();
        let filter = Filter { uris: vec![COUNTER_URI.into()], ..Filter::default() };
        let b = w.listen(json!("b"), filter, uri_link, None).await.unwrap();

        w.toggle(Some(true), Delivery::default());
        w.touch(Delivery::default());
        let got = drain(&mut tools);
        assert_eq!(got[0], ack, "the acknowledgement comes first");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1]["method"], "notifications/tools/list_changed");
        assert_eq!(got[1]["params"]["_meta"][SUBSCRIPTION_ID], 1);
        let got = drain(&mut updates);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["params"], json!({"uri": COUNTER_URI, "_meta": {SUBSCRIPTION_ID: "b"}}));

        assert_eq!(w.toggle(Some(true), Delivery::default()), (true, false), "no change, no announcement");
        assert!(drain(&mut tools).is_empty());
        drop(b);
        w.touch(Delivery::default());
        assert!(drain(&mut updates).is_empty(), "unregistered when dropped");
        assert_eq!(w.counter(), 2);
    }

    #[tokio::test]
    async fn sessions_get_list_changes_and_their_subscriptions() {
        let w = fresh();
        let peer = Peer::new();
        let (tx, mut rx) = mpsc::channel(16);
        // Not through add_outlet, which registers with the process's world.
        peer.attach_outlet(tx);
        w.register(&peer);
        w.touch(Delivery::default());
        assert!(drain(&mut rx).is_empty(), "not initialized");
        peer.set_initialized();
        w.touch(Delivery::default());
        assert!(drain(&mut rx).is_empty(), "not subscribed");
        peer.subscribe(COUNTER_URI);
        w.touch(Delivery::default());
        w.toggle(None, Delivery::default());
        let got = drain(&mut rx);
        let methods: Vec<&str> = got.iter().map(|m| m["method"].as_str().unwrap()).collect();
        assert_eq!(
            methods,
            [
                "notifications/resources/updated",
                "notifications/tools/list_changed",
                "notifications/prompts/list_changed",
                "notifications/resources/list_changed"
            ]
        );
        assert_eq!(got[0]["params"], json!({"uri": COUNTER_URI}));
        assert!(got[1].get("params").is_none());
        peer.unsubscribe(COUNTER_URI);
        w.touch(Delivery::default());
        assert!(drain(&mut rx).is_empty());
        w.touch(Delivery { ignore_unsubscribe: true, ..Delivery::default() });
        assert_eq!(drain(&mut rx).len(), 1, "the fault keeps sending");
    }

    #[test]
    fn slow_calls_are_counted() {
        let w = fresh();
        w.slow_call(ProtocolVersion::V2025_11_25).complete();
        drop(w.slow_call(ProtocolVersion::V2025_11_25));
        drop(w.slow_call(ProtocolVersion::V2026_07_28));
        assert_eq!(w.slow_calls(ProtocolVersion::V2025_11_25), json!({"started": 2, "completed": 1, "cancelled": 1}));
        assert_eq!(w.slow_calls(ProtocolVersion::V2026_07_28), json!({"started": 1, "completed": 0, "cancelled": 1}));
        assert_eq!(w.slow_calls(ProtocolVersion::V2024_11_05), json!({"started": 0, "completed": 0, "cancelled": 0}));
    }
}
