//! Which schema definition each method's request, result and notification
//! must match, and in which protocol versions the method exists. These are
//! facts of each version's spec, written out by hand, one row per method;
//! a test checks them against the bundle in both directions.

/// The first and the last version (inclusive) in which a row holds.
type Span = (&'static str, &'static str);

const ALL: Span = ("2024-11-05", "2026-07-28");
/// The handshake era.
const STATEFUL: Span = ("2024-11-05", "2025-11-25");
/// 2026-07-28: sampling, roots and elicitation still exist there, but as
/// input requests inside an `input_required` result.
const STATELESS: Span = ("2026-07-28", "2026-07-28");
/// Tasks and URL elicitation, experimental in 2025-11-25 and moved to an
/// extension afterwards.
const ONLY_2025_11_25: Span = ("2025-11-25", "2025-11-25");

/// Method, request definition, result definition, versions. Requests in both
/// directions (client to server and server to client).
const REQUESTS: &[(&str, &str, &str, Span)] = &[
    ("initialize", "InitializeRequest", "InitializeResult", STATEFUL),
    ("ping", "PingRequest", "EmptyResult", STATEFUL),
    ("server/discover", "DiscoverRequest", "DiscoverResult", STATELESS),
    ("resources/list", "ListResourcesRequest", "ListResourcesResult", ALL),
    ("resources/templates/list", "ListResourceTemplatesRequest", "ListResourceTemplatesResult", ALL),
    ("resources/read", "ReadResourceRequest", "ReadResourceResult", ALL),
    ("resources/subscribe", "SubscribeRequest", "EmptyResult", STATEFUL),
    ("resources/unsubscribe", "UnsubscribeRequest", "EmptyResult", STATEFUL),
    ("subscriptions/listen", "SubscriptionsListenRequest", "SubscriptionsListenResult", STATELESS),
    ("prompts/list", "ListPromptsRequest", "ListPromptsResult", ALL),
    ("prompts/get", "GetPromptRequest", "GetPromptResult", ALL),
    ("tools/list", "ListToolsRequest", "ListToolsResult", ALL),
    ("tools/call", "CallToolRequest", "CallToolResult", ALL),
    ("logging/setLevel", "SetLevelRequest", "EmptyResult", STATEFUL),
    ("completion/complete", "CompleteRequest", "CompleteResult", ALL),
    // Server to client.
    ("sampling/createMessage", "CreateMessageRequest", "CreateMessageResult", ALL),
    ("roots/list", "ListRootsRequest", "ListRootsResult", ALL),
    ("elicitation/create", "ElicitRequest", "ElicitResult", ("2025-06-18", "2026-07-28")),
    // Either side, for the requests it augmented with a task.
    ("tasks/get", "GetTaskRequest", "GetTaskResult", ONLY_2025_11_25),
    ("tasks/result", "GetTaskPayloadRequest", "GetTaskPayloadResult", ONLY_2025_11_25),
    ("tasks/cancel", "CancelTaskRequest", "CancelTaskResult", ONLY_2025_11_25),
    ("tasks/list", "ListTasksRequest", "ListTasksResult", ONLY_2025_11_25),
];

/// Method, notification definition, versions, in both directions.
const NOTIFICATIONS: &[(&str, &str, Span)] = &[
    ("notifications/cancelled", "CancelledNotification", ALL),
    ("notifications/initialized", "InitializedNotification", STATEFUL),
    ("notifications/progress", "ProgressNotification", ALL),
    ("notifications/roots/list_changed", "RootsListChangedNotification", STATEFUL),
    ("notifications/resources/list_changed", "ResourceListChangedNotification", ALL),
    ("notifications/resources/updated", "ResourceUpdatedNotification", ALL),
    ("notifications/prompts/list_changed", "PromptListChangedNotification", ALL),
    ("notifications/tools/list_changed", "ToolListChangedNotification", ALL),
    ("notifications/message", "LoggingMessageNotification", ALL),
    ("notifications/tasks/status", "TaskStatusNotification", ONLY_2025_11_25),
    ("notifications/elicitation/complete", "ElicitationCompleteNotification", ONLY_2025_11_25),
    ("notifications/subscriptions/acknowledged", "SubscriptionsAcknowledgedNotification", STATELESS),
];

fn holds(span: Span, version: &str) -> bool {
    span.0 <= version && version <= span.1
}

/// One version's view of the tables.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MethodTable {
    version: &'static str,
}

impl MethodTable {
    /// Every (method, request definition, result definition) of the version.
    pub fn requests(self) -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
        REQUESTS.iter().filter(move |r| holds(r.3, self.version)).map(|r| (r.0, r.1, r.2))
    }

    /// Every (method, notification definition) of the version.
    pub fn notifications(self) -> impl Iterator<Item = (&'static str, &'static str)> {
        NOTIFICATIONS.iter().filter(move |n| holds(n.2, self.version)).map(|n| (n.0, n.1))
    }

    pub fn request(self, method: &str) -> Option<&'static str> {
        self.requests().find(|r| r.0 == method).map(|r| r.1)
    }

    pub fn result(self, method: &str) -> Option<&'static str> {
        self.requests().find(|r| r.0 == method).map(|r| r.2)
    }

    pub fn notification(self, method: &str) -> Option<&'static str> {
        self.notifications().find(|n| n.0 == method).map(|n| n.1)
    }
}

/// The tables of a version the suite knows.
pub(crate) fn table(version: &str) -> Option<MethodTable> {
    crate::version::ALL.iter().find(|v| **v == version).map(|&version| MethodTable { version })
}
