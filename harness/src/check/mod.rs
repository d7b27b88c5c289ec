//! Built-in checks: steps whose logic does not fit in data.
//!
//! A case names one with `check = "NAME"`. Each works on whatever surface the
//! server exposes (capability-adaptive) and says "inconclusive" when it has
//! nothing it can safely decide on.

pub mod auth;
mod cache;
mod cancellation;
mod capabilities;
mod client_answers;
mod client_input;
mod completion;
mod envelope;
mod endpoint;
mod early_requests;
mod error_codes;
mod feature_capabilities;
mod http;
mod jsonrpc;
mod list_changed;
mod lists;
mod logging;
mod meta_keys;
mod mrtr_methods;
mod observe;
mod pagination;
mod param_headers;
mod probe;
mod progress;
mod prompts;
mod resources;
mod resumption;
mod result_fields;
mod security;
mod server_requests;
mod stdio;
mod streams;
mod subscriptions;
mod task_results;
mod tasks;
mod tool_arguments;
mod tools;
mod statelessness;
mod list_stability;
mod content;
mod tool_content;
mod tool_definitions;
mod announcements;
mod message_content;
mod keep_alive;
mod era_coexistence;
mod mrtr_rounds;
mod scoped_lists;
mod url_elicitation;
mod sampling_tools;

use crate::execute::{CaseContext, StepOutcome};

/// The names a case may use.
pub const NAMES: &[&str] = &[
    "opening",
    "tool-schemas",
    "tool-results",
    "undeclared-client-capabilities",
    "foreign-origin",
    "session-ended",
    "session-ids",
    "session-required",
    "protocol-version-header",
    "notification-status",
    "answer-content-type",
    "get-stream",
    "auth-challenge",
    "auth-metadata",
    "auth-foreign-audience",
    "auth-expired-token",
    "progress-token",
    "progress-increasing",
    "progress-before-response",
    "log-capability",
    "log-without-level",
    "log-level",
    "cancel-no-response",
    "resource-updates",
    "listen-acknowledgement",
    "listen-filter",
    "listen-teardown",
    "list-changed-capability",
    "tool-invalid-arguments",
    "tool-argument-errors",
    "resource-reads",
    "resource-uris",
    "resource-templates",
    "prompt-arguments",
    "completion-values",
    "completion-undeclared",
    "pagination",
    "invalid-cursor",
    "cache-hints",
    "task-tools",
    "parse-error",
    "invalid-request",
    "notifications-unanswered",
    "id-echo",
    "batch-accepted",
    "batch-rejected",
    "stdin-close",
    "event-ids-unique",
    "replay-same-stream",
    "refused-notification-status",
    "auth-server-metadata",
    "auth-invalid-token",
    "foreign-host",
    "sse-buffering",
    "encoded-name-header",
    "error-id-echo",
    "error-codes",
    "server-requests",
    "meta-keys",
    "feature-capabilities",
    "result-fields",
    "client-request-shapes",
    "input-required",
    "task-results-undeclared",
    "traced-request",
    "cancel-ignored",
    "server-request-ids",
    "per-request-capabilities",
    "legacy-initialize",
    "list-stability",
    "interleaved-conversations",
    "param-header-annotations",
    "param-headers",
    "integer-param-header",
    "stateless-endpoint-methods",
    "loopback-only",
    "endpoint-accepts-post",
    "tool-capability",
    "tool-definitions",
    "tool-result-content",
    "completion-ranking",
    "progress-messages",
    "stale-handle",
    "features-declared",
    "prompt-messages",
    "resource-annotations",
    "list-changes-announced",
    "listen-resource-updates",
    "resource-internal-error",
    "request-state",
    "elicitation-answers",
    "requests-before-initialized",
    "auth-insufficient-scope",
    "auth-upper-case-resource",
    "input-required-methods",
    "burst-answered",
    "oversized-message",
    "stream-routing",
    "cancelled-work-stops",
    "get-stream-routing",
    "listen-cancel-ends",
    "priming-event",
    "dropped-stream-continues",
    "listen-keep-alive",
    "era-coexistence",
    "input-required-rounds",
    "request-state-binding",
    "retry-elsewhere",
    "auth-scoped-lists",
    "version-header-required",
    "url-elicitation",
    "sampling-tool-loop",
    "request-stream-end",
];

/// Is `name` a built-in check?
pub fn exists(name: &str) -> bool {
    NAMES.contains(&name)
}

/// Which tools the harness may call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CallTools {
    /// Only tools annotated `readOnlyHint: true` (calling them changes nothing).
    #[default]
    ReadOnly,
    /// Every tool: only for servers whose tools are safe to run with made-up arguments.
    All,
    /// None.
    None,
}

/// Run the check called `name`.
pub async fn run(name: &str, context: &CaseContext<'_>) -> StepOutcome {
    match name {
        "opening" => opening(context),
        "tool-schemas" => tools::schemas(context).await,
        "tool-results" => tools::results(context).await,
        "undeclared-client-capabilities" => capabilities::undeclared(context).await,
        "foreign-origin" => http::foreign_origin(context).await,
        "session-ended" => http::session_ended(context).await,
        "session-ids" => http::session_ids(context).await,
        "session-required" => http::session_required(context).await,
        "protocol-version-header" => http::protocol_version_header(context).await,
        "notification-status" => http::notification_status(context).await,
        "answer-content-type" => http::answer_content_type(context).await,
        "get-stream" => http::get_stream(context).await,
        "auth-challenge" => auth::challenge(context).await,
        "auth-metadata" => auth::metadata(context).await,
        "auth-foreign-audience" => auth::foreign_audience(context).await,
        "auth-expired-token" => auth::expired(context).await,
        "progress-token" => progress::token(context).await,
        "progress-increasing" => progress::increasing(context).await,
        "progress-before-response" => progress::before_response(context).await,
        "log-capability" => logging::capability(context).await,
        "log-without-level" => logging::without_level(context).await,
        "log-level" => logging::level(context).await,
        "cancel-no-response" => cancellation::no_response(context).await,
        "resource-updates" => subscriptions::resource_updates(context).await,
        "listen-acknowledgement" => subscriptions::acknowledgement(context).await,
        "listen-filter" => subscriptions::only_requested(context).await,
        "listen-teardown" => subscriptions::teardown(context).await,
        "list-changed-capability" => list_changed::needs_capability(context).await,
        "tool-invalid-arguments" => tool_arguments::invalid_rejected(context).await,
        "tool-argument-errors" => tool_arguments::invalid_as_tool_error(context).await,
        "resource-reads" => resources::reads(context).await,
        "resource-uris" => resources::uris(context).await,
        "resource-templates" => resources::templates(context).await,
        "prompt-arguments" => prompts::missing_arguments(context).await,
        "completion-values" => completion::values(context).await,
        "completion-undeclared" => completion::undeclared(context).await,
        "pagination" => pagination::walk_all(context).await,
        "invalid-cursor" => pagination::invalid_cursor(context).await,
        "cache-hints" => cache::hints(context).await,
        "task-tools" => tasks::tools(context).await,
        "parse-error" => jsonrpc::parse_error(context).await,
        "invalid-request" => jsonrpc::invalid_request(context).await,
        "notifications-unanswered" => jsonrpc::notifications_unanswered(context).await,
        "id-echo" => jsonrpc::id_echo(context).await,
        "batch-accepted" => jsonrpc::batch_accepted(context).await,
        "batch-rejected" => jsonrpc::batch_rejected(context).await,
        "stdin-close" => stdio::stdin_close(context).await,
        "event-ids-unique" => resumption::unique(context).await,
        "replay-same-stream" => resumption::same_stream(context).await,
        "refused-notification-status" => http::refused_notification_status(context).await,
        "auth-server-metadata" => auth::server_metadata(context).await,
        "auth-invalid-token" => auth::invalid_token(context).await,
        "foreign-host" => http::foreign_host(context).await,
        "sse-buffering" => http::sse_buffering(context).await,
        "encoded-name-header" => http::encoded_name_header(context).await,
        "error-id-echo" => jsonrpc::error_id_echo(context).await,
        "error-codes" => error_codes::codes(context).await,
        "server-requests" => server_requests::none_sent(context).await,
        "meta-keys" => meta_keys::check(context).await,
        "feature-capabilities" => feature_capabilities::undeclared(context).await,
        "result-fields" => result_fields::check(context).await,
        "client-request-shapes" => client_input::request_shapes(context).await,
        "input-required" => client_input::round_trip(context).await,
        "task-results-undeclared" => task_results::undeclared(context).await,
        "traced-request" => envelope::traced_request(context).await,
        "cancel-ignored" => cancellation::ignored(context).await,
        "server-request-ids" => envelope::server_request_ids(context).await,
        "per-request-capabilities" => statelessness::per_request_capabilities(context).await,
        "legacy-initialize" => statelessness::legacy_initialize(context).await,
        "list-stability" => list_stability::check(context).await,
        "interleaved-conversations" => statelessness::interleaved_conversations(context).await,
        "param-header-annotations" => param_headers::annotations(context).await,
        "param-headers" => param_headers::mirrored(context).await,
        "integer-param-header" => param_headers::integer(context).await,
        "stateless-endpoint-methods" => endpoint::stateless_methods(context).await,
        "loopback-only" => endpoint::loopback_only(context).await,
        "endpoint-accepts-post" => endpoint::accepts_post(context).await,
        "tool-capability" => tool_definitions::capability(context).await,
        "tool-definitions" => tool_definitions::definitions(context).await,
        "tool-result-content" => tool_content::content_blocks(context).await,
        "completion-ranking" => completion::ranking(context).await,
        "progress-messages" => progress::messages(context).await,
        "stale-handle" => tool_content::stale_handle(context).await,
        "features-declared" => feature_capabilities::resources_and_prompts(context).await,
        "prompt-messages" => prompts::message_contents(context).await,
        "resource-annotations" => resources::annotations(context).await,
        "list-changes-announced" => announcements::list_changes(context).await,
        "listen-resource-updates" => announcements::resource_updates(context).await,
        "resource-internal-error" => resources::internal_error(context).await,
        "request-state" => client_answers::request_state(context).await,
        "elicitation-answers" => client_answers::elicitation_answers(context).await,
        "requests-before-initialized" => early_requests::before_initialized(context).await,
        "auth-insufficient-scope" => auth::insufficient_scope(context).await,
        "auth-upper-case-resource" => auth::upper_case_resource(context).await,
        "input-required-methods" => mrtr_methods::outside_mrtr(context).await,
        "burst-answered" => security::burst_answered(context).await,
        "oversized-message" => security::oversized_message(context).await,
        "stream-routing" => streams::routing(context).await,
        "cancelled-work-stops" => cancellation::work_stops(context).await,
        "get-stream-routing" => streams::get_stream_routing(context).await,
        "listen-cancel-ends" => subscriptions::cancel_ends(context).await,
        "priming-event" => streams::priming(context).await,
        "dropped-stream-continues" => cancellation::dropped_stream_continues(context).await,
        "listen-keep-alive" => keep_alive::listen_keep_alive(context).await,
        "era-coexistence" => era_coexistence::check(context).await,
        "input-required-rounds" => mrtr_rounds::rounds(context).await,
        "request-state-binding" => mrtr_rounds::binding(context).await,
        "retry-elsewhere" => mrtr_rounds::elsewhere(context).await,
        "auth-scoped-lists" => scoped_lists::check(context).await,
        "version-header-required" => endpoint::version_header_required(context).await,
        "url-elicitation" => url_elicitation::required_error(context).await,
        "sampling-tool-loop" => sampling_tools::tool_loop(context).await,
        "request-stream-end" => streams::request_stream_end(context).await,
        other => StepOutcome { inconclusive: vec![format!("unknown check `{other}`")], ..StepOutcome::default() },
    }
}

/// The exchange that opened the session (the `initialize` handshake, or
/// `server/discover`) as evidence: every problem found in it on receipt
/// becomes a finding of the case.
fn opening(context: &CaseContext<'_>) -> StepOutcome {
    let evidence = context.session.opening();
    if evidence.is_empty() {
        return StepOutcome { inconclusive: vec!["the connection was not opened with a handshake".into()], ..StepOutcome::default() };
    }
    StepOutcome { evidence, ..StepOutcome::default() }
}
