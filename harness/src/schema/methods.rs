//! Which schema definition each method's request, result and notification
//! must match, per protocol version. These are facts of each version's spec,
//! written out by hand; a test checks them against the bundle.

/// One version's methods.
pub(crate) struct MethodTable {
    /// Method, request definition, result definition. Requests in both
    /// directions (client to server and server to client).
    pub requests: &'static [(&'static str, &'static str, &'static str)],
    /// Method, notification definition, in both directions.
    pub notifications: &'static [(&'static str, &'static str)],
    /// Method, definition of the whole JSON-RPC response. Only versions that
    /// define per-method responses have entries.
    pub responses: &'static [(&'static str, &'static str)],
}

impl MethodTable {
    pub fn request(&self, method: &str) -> Option<&'static str> {
        self.requests.iter().find(|r| r.0 == method).map(|r| r.1)
    }
    pub fn result(&self, method: &str) -> Option<&'static str> {
        self.requests.iter().find(|r| r.0 == method).map(|r| r.2)
    }
    pub fn notification(&self, method: &str) -> Option<&'static str> {
        self.notifications
            .iter()
            .find(|n| n.0 == method)
            .map(|n| n.1)
    }
    pub fn response(&self, method: &str) -> Option<&'static str> {
        self.responses.iter().find(|r| r.0 == method).map(|r| r.1)
    }
}

pub(crate) fn table(version: &str) -> Option<&'static MethodTable> {
    match version {
        "2024-11-05" | "2025-03-26" => Some(&V2024_11_05),
        "2025-06-18" => Some(&V2025_06_18),
        "2025-11-25" => Some(&V2025_11_25),
        "2026-07-28" => Some(&V2026_07_28),
        _ => None,
    }
}

/// 2024-11-05 and 2025-03-26 have the same methods: 2025-03-26 changed
/// shapes and added batching, not methods.
static V2024_11_05: MethodTable = MethodTable {
    requests: &[
        ("initialize", "InitializeRequest", "InitializeResult"),
        ("ping", "PingRequest", "EmptyResult"),
        (
            "resources/list",
            "ListResourcesRequest",
            "ListResourcesResult",
        ),
        (
            "resources/templates/list",
            "ListResourceTemplatesRequest",
            "ListResourceTemplatesResult",
        ),
        (
            "resources/read",
            "ReadResourceRequest",
            "ReadResourceResult",
        ),
        ("resources/subscribe", "SubscribeRequest", "EmptyResult"),
        ("resources/unsubscribe", "UnsubscribeRequest", "EmptyResult"),
        ("prompts/list", "ListPromptsRequest", "ListPromptsResult"),
        ("prompts/get", "GetPromptRequest", "GetPromptResult"),
        ("tools/list", "ListToolsRequest", "ListToolsResult"),
        ("tools/call", "CallToolRequest", "CallToolResult"),
        ("logging/setLevel", "SetLevelRequest", "EmptyResult"),
        ("completion/complete", "CompleteRequest", "CompleteResult"),
        // Server to client.
        (
            "sampling/createMessage",
            "CreateMessageRequest",
            "CreateMessageResult",
        ),
        ("roots/list", "ListRootsRequest", "ListRootsResult"),
    ],
    notifications: &[
        ("notifications/cancelled", "CancelledNotification"),
        ("notifications/initialized", "InitializedNotification"),
        ("notifications/progress", "ProgressNotification"),
        (
            "notifications/roots/list_changed",
            "RootsListChangedNotification",
        ),
        (
            "notifications/resources/list_changed",
            "ResourceListChangedNotification",
        ),
        (
            "notifications/resources/updated",
            "ResourceUpdatedNotification",
        ),
        (
            "notifications/prompts/list_changed",
            "PromptListChangedNotification",
        ),
        (
            "notifications/tools/list_changed",
            "ToolListChangedNotification",
        ),
        ("notifications/message", "LoggingMessageNotification"),
    ],
    responses: &[],
};

/// Adds elicitation.
static V2025_06_18: MethodTable = MethodTable {
    requests: &[
        ("initialize", "InitializeRequest", "InitializeResult"),
        ("ping", "PingRequest", "EmptyResult"),
        (
            "resources/list",
            "ListResourcesRequest",
            "ListResourcesResult",
        ),
        (
            "resources/templates/list",
            "ListResourceTemplatesRequest",
            "ListResourceTemplatesResult",
        ),
        (
            "resources/read",
            "ReadResourceRequest",
            "ReadResourceResult",
        ),
        ("resources/subscribe", "SubscribeRequest", "EmptyResult"),
        ("resources/unsubscribe", "UnsubscribeRequest", "EmptyResult"),
        ("prompts/list", "ListPromptsRequest", "ListPromptsResult"),
        ("prompts/get", "GetPromptRequest", "GetPromptResult"),
        ("tools/list", "ListToolsRequest", "ListToolsResult"),
        ("tools/call", "CallToolRequest", "CallToolResult"),
        ("logging/setLevel", "SetLevelRequest", "EmptyResult"),
        ("completion/complete", "CompleteRequest", "CompleteResult"),
        // Server to client.
        (
            "sampling/createMessage",
            "CreateMessageRequest",
            "CreateMessageResult",
        ),
        ("roots/list", "ListRootsRequest", "ListRootsResult"),
        ("elicitation/create", "ElicitRequest", "ElicitResult"),
    ],
    notifications: &[
        ("notifications/cancelled", "CancelledNotification"),
        ("notifications/initialized", "InitializedNotification"),
        ("notifications/progress", "ProgressNotification"),
        (
            "notifications/roots/list_changed",
            "RootsListChangedNotification",
        ),
        (
            "notifications/resources/list_changed",
            "ResourceListChangedNotification",
        ),
        (
            "notifications/resources/updated",
            "ResourceUpdatedNotification",
        ),
        (
            "notifications/prompts/list_changed",
            "PromptListChangedNotification",
        ),
        (
            "notifications/tools/list_changed",
            "ToolListChangedNotification",
        ),
        ("notifications/message", "LoggingMessageNotification"),
    ],
    responses: &[],
};

/// Adds tasks and URL elicitation completion.
static V2025_11_25: MethodTable = MethodTable {
    requests: &[
        ("initialize", "InitializeRequest", "InitializeResult"),
        ("ping", "PingRequest", "EmptyResult"),
        (
            "resources/list",
            "ListResourcesRequest",
            "ListResourcesResult",
        ),
        (
            "resources/templates/list",
            "ListResourceTemplatesRequest",
            "ListResourceTemplatesResult",
        ),
        (
            "resources/read",
            "ReadResourceRequest",
            "ReadResourceResult",
        ),
        ("resources/subscribe", "SubscribeRequest", "EmptyResult"),
        ("resources/unsubscribe", "UnsubscribeRequest", "EmptyResult"),
        ("prompts/list", "ListPromptsRequest", "ListPromptsResult"),
        ("prompts/get", "GetPromptRequest", "GetPromptResult"),
        ("tools/list", "ListToolsRequest", "ListToolsResult"),
        ("tools/call", "CallToolRequest", "CallToolResult"),
        ("logging/setLevel", "SetLevelRequest", "EmptyResult"),
        ("completion/complete", "CompleteRequest", "CompleteResult"),
        // Server to client.
        (
            "sampling/createMessage",
            "CreateMessageRequest",
            "CreateMessageResult",
        ),
        ("roots/list", "ListRootsRequest", "ListRootsResult"),
        ("elicitation/create", "ElicitRequest", "ElicitResult"),
        // Either side may receive these, for the requests it augmented with a task.
        ("tasks/get", "GetTaskRequest", "GetTaskResult"),
        (
            "tasks/result",
            "GetTaskPayloadRequest",
            "GetTaskPayloadResult",
        ),
        ("tasks/cancel", "CancelTaskRequest", "CancelTaskResult"),
        ("tasks/list", "ListTasksRequest", "ListTasksResult"),
    ],
    notifications: &[
        ("notifications/cancelled", "CancelledNotification"),
        ("notifications/initialized", "InitializedNotification"),
        ("notifications/progress", "ProgressNotification"),
        (
            "notifications/roots/list_changed",
            "RootsListChangedNotification",
        ),
        (
            "notifications/resources/list_changed",
            "ResourceListChangedNotification",
        ),
        (
            "notifications/resources/updated",
            "ResourceUpdatedNotification",
        ),
        (
            "notifications/prompts/list_changed",
            "PromptListChangedNotification",
        ),
        (
            "notifications/tools/list_changed",
            "ToolListChangedNotification",
        ),
        ("notifications/message", "LoggingMessageNotification"),
        ("notifications/tasks/status", "TaskStatusNotification"),
        (
            "notifications/elicitation/complete",
            "ElicitationCompleteNotification",
        ),
    ],
    responses: &[],
};

/// The stateless era: no handshake, ping, logging level or resource
/// subscriptions; sampling, roots and elicitation requests travel inside an
/// `input_required` result instead of as server-to-client requests, and their
/// results come back in the retried request's `inputResponses`.
static V2026_07_28: MethodTable = MethodTable {
    requests: &[
        ("server/discover", "DiscoverRequest", "DiscoverResult"),
        (
            "resources/list",
            "ListResourcesRequest",
            "ListResourcesResult",
        ),
        (
            "resources/templates/list",
            "ListResourceTemplatesRequest",
            "ListResourceTemplatesResult",
        ),
        (
            "resources/read",
            "ReadResourceRequest",
            "ReadResourceResult",
        ),
        (
            "subscriptions/listen",
            "SubscriptionsListenRequest",
            "SubscriptionsListenResult",
        ),
        ("prompts/list", "ListPromptsRequest", "ListPromptsResult"),
        ("prompts/get", "GetPromptRequest", "GetPromptResult"),
        ("tools/list", "ListToolsRequest", "ListToolsResult"),
        ("tools/call", "CallToolRequest", "CallToolResult"),
        ("completion/complete", "CompleteRequest", "CompleteResult"),
        // Input requests, embedded in an InputRequiredResult.
        (
            "sampling/createMessage",
            "CreateMessageRequest",
            "CreateMessageResult",
        ),
        ("roots/list", "ListRootsRequest", "ListRootsResult"),
        ("elicitation/create", "ElicitRequest", "ElicitResult"),
    ],
    notifications: &[
        ("notifications/cancelled", "CancelledNotification"),
        ("notifications/progress", "ProgressNotification"),
        (
            "notifications/resources/list_changed",
            "ResourceListChangedNotification",
        ),
        (
            "notifications/resources/updated",
            "ResourceUpdatedNotification",
        ),
        (
            "notifications/prompts/list_changed",
            "PromptListChangedNotification",
        ),
        (
            "notifications/tools/list_changed",
            "ToolListChangedNotification",
        ),
        ("notifications/message", "LoggingMessageNotification"),
        (
            "notifications/subscriptions/acknowledged",
            "SubscriptionsAcknowledgedNotification",
        ),
    ],
    // The per-method responses also admit an InputRequiredResult where the
    // method may ask the client for input.
    responses: &[
        ("server/discover", "DiscoverResultResponse"),
        ("resources/list", "ListResourcesResultResponse"),
        (
            "resources/templates/list",
            "ListResourceTemplatesResultResponse",
        ),
        ("resources/read", "ReadResourceResultResponse"),
        ("subscriptions/listen", "SubscriptionsListenResultResponse"),
        ("prompts/list", "ListPromptsResultResponse"),
        ("prompts/get", "GetPromptResultResponse"),
        ("tools/list", "ListToolsResultResponse"),
        ("tools/call", "CallToolResultResponse"),
        ("completion/complete", "CompleteResultResponse"),
    ],
};
