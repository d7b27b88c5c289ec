//! Deliberate violations, one per conformance check.
//!
//! Each [`Fault`] makes the server break exactly one rule of the
//! specification, named by its requirement ID in `REQUIREMENTS.md` (or, for
//! pure wire-format breaks, by the schema definition it violates, written
//! `schema:Name`). The clean server must pass a check and the server started
//! with that check's fault (`--fault NAME`) must fail it: that is how the
//! suite proves each check can fail.
//!
//! The table [`CATALOGUE`] is the single source for `--list-faults`, the
//! `--fault` parser and the documentation.

use std::fmt;

/// Where a fault can be observed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every transport.
    AnyTransport,
    /// Only the stdio transport.
    Stdio,
    /// The HTTP transports (Streamable HTTP and HTTP+SSE).
    Http,
    /// Only Streamable HTTP.
    StreamableHttp,
    /// stdio and HTTP+SSE (the transports that carry bare JSON-RPC both ways).
    StdioAndSse,
}

impl Scope {
    /// A short label for listings.
    pub fn label(self) -> &'static str {
        match self {
            Scope::AnyTransport => "any transport",
            Scope::Stdio => "stdio",
            Scope::Http => "http, sse",
            Scope::StreamableHttp => "http",
            Scope::StdioAndSse => "stdio, sse",
        }
    }
}

/// A deliberate violation the server can be started with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// `initialize` for a supported version is answered with another one.
    InitializeWrongVersion,
    /// `initialize` for an unsupported version echoes it back.
    InitializeEchoUnsupported,
    /// An unsupported `_meta` version gets -32602 instead of -32022.
    UnsupportedVersionWrongCode,
    /// -32022 without `data.supported`.
    UnsupportedVersionNoSupportedList,
    /// `server/discover` is answered with -32601.
    DiscoverMissing,
    /// `DiscoverResult` lacks `supportedVersions`.
    DiscoverInvalidResult,
    /// `ping` is never answered.
    PingNoResponse,
    /// `ping` is answered with an error.
    PingError,
    /// Unknown methods get -32600 instead of -32601.
    UnknownMethodWrongCode,
    /// The `echo` tool publishes an invalid JSON Schema.
    ToolInputSchemaInvalid,
    /// A tool in `tools/list` has no `name`.
    ToolsListInvalid,
    /// `add` returns `structuredContent` that fails its `outputSchema`.
    StructuredContentMismatch,
    /// `tools/call` results contain a content block of an unknown type.
    CallResultInvalid,
    /// A non-JSON line on stdout before the first response.
    StdoutGarbage,
    /// A deleted session id keeps working.
    SessionIdIgnoredAfterDelete,
    /// Any `Origin` is accepted.
    NoOriginCheck,
    /// A `Mcp-Method` header that differs from the body is accepted.
    HeaderMismatchIgnored,
    /// `--auth` accepts tokens minted for another resource.
    AuthWrongAudienceAccepted,
    /// `--auth` answers 401 without `WWW-Authenticate`.
    AuthNoWwwAuthenticate,
    /// `--auth` accepts expired tokens.
    AuthExpiredAccepted,
    /// `ask` asks for sampling although the client did not declare it.
    S2cWithoutCapability,
    /// `ask` sends a JSON-RPC request in 2026-07-28.
    S2cRequestInStateless,
    /// `ask` answers `input_required` whatever the retry carries.
    InputRequiredIgnoresResponses,
    /// An unknown resource gets -32602 in the handshake era and -32002 in 2026-07-28.
    ResourceNotFoundWrongCode,
    /// An unknown resource is read as an empty `contents` array.
    ResourceNotFoundEmptyContents,
    /// The `blob` of binary resources is not Base64.
    ReadBlobNotBase64,
    /// A resource template is not a valid RFC 6570 URI template.
    TemplateInvalid,
    /// `prompts/get` without a required argument is answered anyway.
    PromptMissingArgumentAccepted,
    /// `completion/complete` returns more than 100 values.
    CompletionTooManyValues,
    /// `completion/complete` is served but `completions` is not declared.
    CompletionWithoutCapability,
    /// 2026-07-28: the `log` tool logs although the request set no `logLevel`.
    LogWithoutLevel,
    /// The `log` tool also logs below the level set.
    LogBelowLevel,
    /// Log messages are sent but `logging` is not declared.
    LogWithoutCapability,
    /// An unknown log level is accepted.
    LogLevelUnknownAccepted,
    /// `progress` repeats each progress value.
    ProgressNotIncreasing,
    /// `progress` sends its last notification after the response.
    ProgressAfterResponse,
    /// `progress` sends notifications although the request carried no `progressToken`.
    ProgressWithoutToken,
    /// A cancelled request is answered anyway.
    ResponseAfterCancel,
    /// An invalid cursor is read as the start of the list.
    CursorInvalidAccepted,
    /// The last page of a list carries a `nextCursor`.
    NextCursorOnLastPage,
    /// `resources/updated` keeps coming after `resources/unsubscribe`.
    UpdatesAfterUnsubscribe,
    /// `subscriptions/listen` sends no acknowledgement.
    ListenNoAcknowledgement,
    /// A listen stream gets notification types the client did not ask for.
    ListenUnrequestedNotification,
    /// At shutdown a stdio listen stream ends without `notifications/cancelled`.
    ListenTeardownWithoutCancelled,
    /// `listChanged: false` is declared but list changes are notified.
    ListChangedWithoutCapability,
    /// Cacheable 2026-07-28 results lack `ttlMs` and `cacheScope`.
    MissingCacheFields,
    /// Session ids are a counter (`1`, `2`, …).
    SessionIdPredictable,
    /// A wrong `MCP-Protocol-Version` header in a session is ignored.
    ProtocolVersionHeaderIgnored,
    /// Accepted notifications get 200 instead of 202.
    NotificationAnswered200,
    /// JSON answers to requests are labelled `text/plain`.
    AnswerWrongContentType,
    /// GET in a session gets 400 instead of a stream or 405.
    GetStreamWrongStatus,
    /// A request without `Mcp-Session-Id` gets 404 instead of 400.
    MissingSessionId404,
    /// `--auth` metadata lacks `authorization_servers`.
    AuthMetadataNoAuthorizationServers,
    /// Tools run with arguments that fail their `inputSchema`.
    ToolArgumentsUnchecked,
    /// Arguments that fail the `inputSchema` get -32602 in every version.
    ArgumentErrorsAsProtocolErrors,
    /// `completion/complete` for an unknown prompt or template answers no values.
    CompletionUnknownRefAccepted,
    /// `resources/list` lists a resource whose URI is not RFC 3986.
    ResourceUriInvalid,
    /// The `tasks` capability is left out while tools still declare task support.
    TasksCapabilityMissing,
    /// A task-required tool called without a task runs anyway.
    TaskRequiredRunPlainly,
    /// A task-forbidden tool called as a task gets a task.
    TaskForbiddenAccepted,
    /// Every task of a tool gets the same id.
    TaskIdsReused,
    /// A finished task reads `working` again once its result was taken.
    TaskStatusReverts,
    /// A task-augmented call is answered with the plain result.
    TaskNotCreated,
    /// Tasks lack `lastUpdatedAt` and `ttl`.
    TaskMissingTimestamps,
    /// `tasks/result` of an unfinished task fails at once.
    TaskResultNotBlocking,
    /// `tasks/result` lacks the related-task `_meta`.
    TaskResultWithoutRelatedTask,
    /// `tasks/cancel` of a terminal task is accepted.
    TaskCancelTerminalAccepted,
    /// A cancelled task goes on and ends `completed`.
    TaskCancelNotFinal,
    /// `tasks/list` reads an unknown cursor as the start.
    TaskListInvalidCursorAccepted,
    /// Text that is not JSON gets -32600 instead of -32700.
    ParseErrorWrongCode,
    /// JSON that is not a valid request gets -32700 instead of -32600.
    InvalidRequestWrongCode,
    /// `tools/call` with mistyped params gets -32603 instead of -32602.
    InvalidParamsWrongCode,
    /// Notifications of unknown methods are answered with -32601.
    NotificationAnswered,
    /// A string request id made of digits is answered as an integer.
    ResponseIdTypeChanged,
    /// Requests with a string id are answered twice.
    ResponseDuplicated,
    /// 2025-03-26 batches are refused with -32600.
    BatchNotSupported,
    /// Batches are answered with an array in every version.
    BatchAccepted,
    /// The server keeps running after stdin closes.
    StdinCloseIgnored,
    /// -32601 errors have no `message`.
    ErrorMissingMessage,
    /// 2026-07-28 over HTTP: an unknown method gets -32601 with status 200, not 404.
    UnknownMethodStatus200,
    /// Streamable HTTP SSE event ids count per stream, so streams of a session share ids.
    EventIdsPerStream,
    /// A `Last-Event-ID` resumption replays the events of another stream of the session.
    ReplayForeignStream,
    /// `Origin` is checked on POST only: a GET with a foreign `Origin` is served.
    OriginCheckedOnPostOnly,
    /// A notification refused for an unknown session gets 200 and an error body.
    RefusedNotificationAnswered200,
    /// Header-validation rejections (-32020) are sent with status 200.
    HeaderMismatchStatus200,
    /// `--auth` metadata lacks `resource`.
    AuthMetadataNoResource,
    /// `--auth` names its metadata nowhere: no `resource_metadata`, no well-known URI.
    AuthMetadataUndiscoverable,
    /// `--auth` answers a request without a token with 403 instead of 401.
    AuthMissingToken403,
    /// `--auth` serves no authorization server metadata and no default endpoints (2025-03-26).
    AuthServerMetadataMissing,
    /// An `MCP-Protocol-Version` header that differs from the `_meta` version is accepted.
    VersionHeaderMismatchIgnored,
    /// A `Mcp-Name` header that differs from the body's name or URI is accepted.
    NameHeaderMismatchIgnored,
    /// `Mcp-Method` is compared with the body's method ignoring case.
    MethodHeaderCaseInsensitive,
    /// 2026-07-28 answers echo the request's `Mcp-Session-Id`, or issue one.
    SessionIdInStateless,
    /// `--auth` challenges name no `scope`.
    AuthChallengeWithoutScope,
    /// `--auth` asks for `offline_access` in challenges and `scopes_supported`.
    AuthOfflineAccessRequested,
    /// `--auth` serves any bearer token without validating it.
    AuthAnyTokenAccepted,
    /// Any `Host` header is accepted (no DNS-rebinding defence for requests without `Origin`).
    NoHostCheck,
    /// 2026-07-28 SSE responses lack `X-Accel-Buffering: no`.
    SseWithoutAccelBuffering,
    /// `Mcp-Name` is compared with the body without decoding `=?base64?…?=`.
    EncodedNameHeaderNotDecoded,
    /// The discover result lacks the `_meta` serverInfo entry.
    DiscoverNoServerInfo,
    /// The `initialize` result lacks `serverInfo`.
    InitializeNoServerInfo,
    /// Errors answering a request with a string id carry id null.
    ErrorIdDropped,
    /// 2026-07-28: an unknown tool gets -32040, a code of the MCP range the spec does not define.
    UndefinedMcpErrorCode,
    /// 2026-07-28: an unknown prompt gets the legacy code -32001.
    LegacyErrorCode,
    /// 2026-07-28: an unknown tool gets -32500, inside the JSON-RPC reserved block.
    ReservedErrorCode,
    /// 2026-07-28: a request whose `_meta` lacks the client capabilities is served.
    ClientCapabilitiesNotRequired,
    /// A listed tool carries a `_meta` key whose name breaks the key format.
    MetaKeyInvalid,
    /// 2026-07-28: the capabilities declare an extension without a prefix.
    ExtensionUnprefixed,
    /// 2026-07-28: the discover capabilities leave `tools` out while tools are served.
    ToolsCapabilityUndeclared,
    /// 2026-07-28: `resources/templates/list` results lack the `_meta` serverInfo entry.
    ResultWithoutServerInfo,
    /// 2026-07-28: `resources/templates/list` results lack `resultType`.
    ResultTypeMissing,
    /// 2026-07-28: `resources/templates/list` results say `resultType: "partial"`.
    ResultTypeUnknown,
    /// `ask`'s first `input_required` result has neither `inputRequests` nor `requestState`.
    InputRequiredEmpty,
    /// `ask`'s `inputRequests` entries carry a JSON-RPC `id`.
    InputRequestsWithId,
    /// `ask`'s `input_required` results carry `ttlMs` and `cacheScope`.
    InputRequiredCacheHints,
    /// A retry of `ask` lacking answers gets -32602 instead of a fresh `input_required`.
    MissingAnswersRefused,
    /// `ask`'s sampling request offers tools the client did not declare `sampling.tools` for.
    SamplingToolsUndeclared,
    /// `ask` elicits in URL mode although the client declared form mode only.
    ElicitationUrlUndeclared,
    /// `resources/read` results carry a negative `ttlMs`.
    CacheTtlNegative,
    /// `prompts/list` results carry a `cacheScope` that is neither public nor private.
    CacheScopeInvalid,
    /// The pages of `tools/list` after the first say `cacheScope: "private"`.
    CacheScopePerPage,
    /// `ask`'s elicitation form holds an object field.
    ElicitationNestedForm,
    /// `ask`'s sampling request returns tool results mixed with text in one user message.
    SamplingToolResultsMixed,
    /// `ask`'s sampling request asks for `includeContext: "thisServer"` without `sampling.context`.
    SamplingContextUndeclared,
    /// The listen acknowledgement grants every list-change type, asked for or not.
    ListenAcknowledgementWidened,
    /// An `ask` retry whose `inputResponses` is not an object is served as if it had none.
    MalformedInputResponsesAccepted,
    /// An `ask` retry with an `inputResponses` entry nobody asked for gets -32602.
    ExtraInputResponsesRefused,
    /// 2026-07-28: `echo` is answered with a task though nobody negotiated the tasks extension.
    TaskResultWithoutExtension,
    /// Responses that continue a W3C trace say `"jsonrpc": "1.0"`.
    TracedResponseJsonrpcVersion,
    /// The `result` of responses that continue a W3C trace is an array.
    TracedResultNotObject,
    /// A traced request's response is preceded by a `notifications/message` that has an id.
    TracedNotificationWithId,
    /// stdio: responses that continue a W3C trace are pretty-printed over several lines.
    TracedResponseMultiline,
    /// stdio: responses that continue a W3C trace carry a byte that is not UTF-8.
    TracedResponseNotUtf8,
    /// stdio: after a `notifications/cancelled`, requests are no longer answered.
    CancelStalls,
    /// A `notifications/cancelled` naming no running request is answered with -32602.
    CancelUnknownAnswered,
    /// A list request with a cursor the server never issued gets -32603 (Internal error).
    CursorInvalidInternalError,
    /// The `traceparent` continued in traced results is written in upper case.
    TraceparentMalformed,
    /// 2026-07-28 stdio: a traced request is preceded in its answer by `notifications/cancelled` naming it.
    ServerCancelsTracedRequest,
    /// 2026-07-28 stdio: a traced response is followed by a `notifications/message` tied to nothing.
    TracedStrayNotification,
    /// stdio: every request the server sends the client has the id 1.
    ServerRequestIdsReused,
    /// Errors answering a traced request carry a trace id and a stack trace in `message`.
    TracedErrorVerbose,
    /// 2026-07-28: client capabilities declared by earlier requests count for later ones.
    CapabilitiesCarriedOver,
    /// 2026-07-28: a tool needing an undeclared client capability answers `isError: true` instead of -32021.
    MissingCapabilityAsToolError,
    /// 2026-07-28: after an odd number of tool calls the tools, prompts and resources lists lose their last item.
    ListsChangeAfterCalls,
    /// 2026-07-28: every walk of `tools/list` starts at another tool.
    ToolsOrderVaries,
    /// `initialize` is refused with an error that names no protocol version.
    InitializeRefusedWithoutVersions,
    /// 2026-07-28: the asking tools act as if every request declared every client capability.
    UndeclaredCapabilitiesAssumed,
    /// 2026-07-28: `ask` accepts only the `requestState` it issued last.
    RequestStateLatestOnly,
    /// 2026-07-28 Streamable HTTP: `Mcp-Param-*` headers are not checked at all.
    ParamHeaderMismatchIgnored,
    /// 2026-07-28 Streamable HTTP: an `Mcp-Param-*` header is demanded though its argument is absent or null.
    ParamHeaderDemandedWhenAbsent,
    /// 2026-07-28 Streamable HTTP: an `Mcp-Param-*` value of raw non-ASCII bytes is read as UTF-8 and accepted.
    ParamHeaderRawBytesAccepted,
    /// 2026-07-28 Streamable HTTP: integer `Mcp-Param-*` values are compared as text (`42.0` is not `42`).
    ParamHeaderIntegerAsText,
    /// `mirrored_params` publishes an `x-mcp-header` on a `number` property.
    ParamHeaderAnnotationInvalid,
    /// 2026-07-28 Streamable HTTP: a request carrying `Last-Event-ID` is refused instead of served.
    LastEventIdRefusedInStateless,
    /// Poses as a 2026-07-28-only server whose endpoint answers GET and DELETE with 400, not 405.
    StatelessOnlyGetNot405,
    /// Listening on 127.0.0.1, also listens on 127.0.0.2 (as a server bound to all interfaces is reachable there).
    ListensBeyondLoopback,
    /// Notifications POSTed to the endpoint without a session id get 404, as if they belonged elsewhere.
    NotificationsNotAtEndpoint,
    /// The capabilities leave `tools` out while tools are served, in every version.
    ToolsCapabilityOmitted,
    /// `tools/list` is answered with -32603 although `tools` is declared.
    ToolsListRefused,
    /// `test_simple_text` is listed as `test simple text` (a name with spaces).
    ToolNameWithSpaces,
    /// `echo`'s annotations say `openWorldHint: "false"`, a string.
    ToolAnnotationMistyped,
    /// Structured results' text block describes them in words instead of holding their JSON.
    StructuredContentWithoutText,
    /// `test_image_content` returns image data that is not Base64.
    ImageContentNotBase64,
    /// The capabilities leave `resources` out although tools embed resources.
    ResourcesCapabilityOmitted,
    /// 2026-07-28: `primes` wraps its array structured content in an object.
    StructuredContentWrapped,
    /// Progress messages are terminal control sequences.
    ProgressMessageUnreadable,
    /// Completion ignores the typed value and returns every candidate in catalogue order.
    CompletionUnranked,
    /// `tally` treats an unknown handle as a request for a new counter.
    StaleHandleAccepted,
    /// The `resources` capability is left out while resources are still served.
    ResourcesCapabilityUndeclared,
    /// The `prompts` capability is left out while prompts are still served.
    PromptsCapabilityUndeclared,
    /// `toggle` changes the resource list without announcing it.
    ResourceListChangeUnannounced,
    /// `toggle` changes the prompt list without announcing it.
    PromptListChangeUnannounced,
    /// 2026-07-28: listen streams never get `notifications/resources/updated`.
    ListenResourceUpdatesDropped,
    /// `resources/read` serves URIs it does not know (traversal, malformed) with made-up contents.
    ResourceUriUnvalidated,
    /// The annotated resource's `lastModified` is not an ISO 8601 date.
    ResourceAnnotationsInvalid,
    /// Prompt images are not Base64 and carry no valid MIME type.
    PromptImageInvalid,
    /// Resources embedded in prompts carry a malformed MIME type.
    PromptEmbeddedResourceInvalid,
    /// A read that fails inside the server gets -32000 instead of -32603.
    ResourceInternalErrorWrongCode,
    /// 2026-07-28: `ask` accepts a `requestState` whose integrity tag does not verify.
    RequestStateUnverified,
    /// 2026-07-28: `ask`'s elicitation carries the `elicitationId` that version dropped.
    ElicitationIdInStateless,
    /// `ask` accepts elicitation content that does not fit its `requestedSchema`.
    ElicitationContentUnvalidated,
    /// `ask` breaks on a declined, cancelled or failed elicitation.
    ElicitationRefusalUnhandled,
    /// `ask` sends its requests before `notifications/initialized`.
    RequestsBeforeInitialized,
    /// With `--auth`, a valid token lacking a needed scope gets 401 `invalid_token` instead of 403.
    AuthInsufficientScope401,
    /// With `--auth`, a token's `aud` must match the resource URL case for case.
    AuthAudienceCaseSensitive,
    /// 2026-07-28: `resources/templates/list` answers `input_required`.
    InputRequiredOutsideMrtr,
    /// `ask` asks for roots though the client did not declare them.
    RootsWithoutCapability,
    /// `ask`'s elicitation form carries a URL to follow in its message.
    ElicitationFormLink,
    /// Requests beyond eight in flight at once are dropped without a response.
    RequestsDroppedUnderLoad,
    /// After one message over the size cap the server stops serving.
    OversizedWedges,
    /// 2026-07-28 HTTP: a request's progress and log notifications are copied onto every open listen stream.
    RequestNotificationsOnListenStreams,
    /// 2026-07-28 HTTP: log messages go on the oldest other open request stream.
    LogsOnAnotherRequestStream,
    /// Streamable HTTP (2025-03-26 on): a request's stream stays open for seconds after its response.
    RequestStreamLeftOpen,
    /// 2026-07-28: listen notifications (after the acknowledgement) carry no subscription id.
    ListenNotificationsUntagged,
    /// 2026-07-28: every listen stream's notifications carry the newest subscription's id.
    ListenIdsMixed,
    /// 2026-07-28: a cancelled `slow` call is no longer answered, but its work runs on to the end.
    CancelledWorkContinues,
    /// Streamable HTTP sessions: a response answered on its POST is also sent on the GET stream.
    ResponsesOnGetStream,
    /// Streamable HTTP sessions: a request's notifications also go on the GET stream.
    NotificationsOnTwoStreams,
    /// 2026-07-28: a listen stream the server ends gets `notifications/cancelled` but no result first.
    ListenTeardownWithoutResult,
    /// 2026-07-28: a cancelled `subscriptions/listen` keeps receiving its notifications.
    ListenSurvivesCancel,
    /// 2025-11-25 Streamable HTTP: SSE streams begin without a priming event.
    NoPrimingEvent,
    /// Streamable HTTP sessions: a request answered on a live SSE stream stops when that connection drops.
    DroppedStreamCancels,
    /// A 2026-07-28 listen stream never sends a `:` keep-alive.
    ListenWithoutKeepAlive,
    /// On a stdio process hosting a legacy session, modern requests are served inside it.
    LegacySessionLeaks,
    /// 2026-07-28: the `ask` tool writes its first `inputRequests` entry twice under the same key.
    InputRequestKeysDuplicated,
    /// 2026-07-28: reading `ref://input-required/greeting` answers an empty `input_required`.
    ResourceInputRequiredEmpty,
    /// 2026-07-28: the retry completing `input_required_greeting` gets a tool result, not a prompt.
    PromptRetryNotAPrompt,
    /// 2026-07-28: a `requestState` is not checked against the request it was issued for.
    RequestStateUnbound,
    /// 2026-07-28: the `requestState` key is drawn per process, so another process refuses the state.
    RequestStatePerProcess,
    /// `--auth`, 2026-07-28: the scope-filtered tool list says `cacheScope: "public"`.
    ScopeFilteredListPublic,
    /// 2026-07-28 Streamable HTTP: poses as a 2026-07-28-only server and serves requests without `MCP-Protocol-Version`.
    StatelessOnlyVersionHeaderOptional,
    /// 2025-11-25: the -32042 elicitation of `connect_external_account` lacks `elicitationId` and `mode`.
    UrlElicitationDataMalformed,
    /// 2025-11-25: `connect_external_account` completes its elicitation under another id.
    UrlElicitationCompleteWrongId,
    /// 2026-07-28: `weather_agent` answers each `tool_use` with a `tool_result` under another id.
    SamplingToolResultIdMismatch,
    /// 2026-07-28: `tools/list` depends on the caller's `clientInfo`, not only on its authorization.
    ToolsVaryByClient,
    /// `toggle` changes the tool list without `notifications/tools/list_changed`.
    ToolListChangeUnannounced,
    /// 2026-07-28: `tools/call` of an unknown tool is answered with a tool error, not a JSON-RPC error.
    UnknownToolAsToolError,
}

/// One row of the fault table.
#[derive(Clone, Copy, Debug)]
pub struct FaultInfo {
    /// The fault.
    pub fault: Fault,
    /// The `--fault` name.
    pub name: &'static str,
    /// Requirement IDs (or `schema:Definition`) the fault breaks.
    pub breaks: &'static [&'static str],
    /// Where it shows.
    pub scope: Scope,
    /// One line saying what the server does wrong.
    pub description: &'static str,
}

/// Every fault, in the order `--list-faults` prints them.
pub const CATALOGUE: &[FaultInfo] = &[
    FaultInfo {
        fault: Fault::InitializeWrongVersion,
        name: "initialize-wrong-version",
        breaks: &["L-LIFE-002"],
        scope: Scope::AnyTransport,
        description: "answers initialize for a supported version with a different supported version",
    },
    FaultInfo {
        fault: Fault::InitializeEchoUnsupported,
        name: "initialize-echo-unsupported",
        breaks: &["L-LIFE-002"],
        scope: Scope::AnyTransport,
        description: "echoes an unsupported requested version instead of counter-proposing one it supports",
    },
    FaultInfo {
        fault: Fault::UnsupportedVersionWrongCode,
        name: "unsupported-version-wrong-code",
        breaks: &["LIFECYCLE-006", "HTTP-017"],
        scope: Scope::AnyTransport,
        description: "answers an unsupported _meta protocol version with -32602 instead of -32022",
    },
    FaultInfo {
        fault: Fault::UnsupportedVersionNoSupportedList,
        name: "unsupported-version-no-supported-list",
        breaks: &["LIFECYCLE-006"],
        scope: Scope::AnyTransport,
        description: "sends UnsupportedProtocolVersionError (-32022) without data.supported",
    },
    FaultInfo {
        fault: Fault::DiscoverMissing,
        name: "discover-missing",
        breaks: &["LIFECYCLE-002", "STDIO-010"],
        scope: Scope::AnyTransport,
        description: "answers server/discover with -32601 Method not found",
    },
    FaultInfo {
        fault: Fault::DiscoverInvalidResult,
        name: "discover-invalid-result",
        breaks: &["LIFECYCLE-003"],
        scope: Scope::AnyTransport,
        description: "returns a DiscoverResult without supportedVersions",
    },
    FaultInfo {
        fault: Fault::PingNoResponse,
        name: "ping-no-response",
        breaks: &["L-PING-001"],
        scope: Scope::AnyTransport,
        description: "never answers ping (over Streamable HTTP: 202 with no body)",
    },
    FaultInfo {
        fault: Fault::PingError,
        name: "ping-error",
        breaks: &["L-PING-001"],
        scope: Scope::AnyTransport,
        description: "answers ping with a -32603 error instead of an empty result",
    },
    FaultInfo {
        fault: Fault::UnknownMethodWrongCode,
        name: "unknown-method-wrong-code",
        breaks: &["JSONRPC-008", "HTTP-018"],
        scope: Scope::AnyTransport,
        description: "answers unknown methods with -32600 (HTTP 400 in 2026-07-28) instead of -32601 (HTTP 404)",
    },
    FaultInfo {
        fault: Fault::ToolInputSchemaInvalid,
        name: "tool-input-schema-invalid",
        breaks: &["TOOLS-006", "JSONRPC-020"],
        scope: Scope::AnyTransport,
        description: "publishes the echo tool's inputSchema with \"type\": \"strnig\" (not a JSON Schema type)",
    },
    FaultInfo {
        fault: Fault::ToolsListInvalid,
        name: "tools-list-invalid",
        breaks: &["schema:Tool"],
        scope: Scope::AnyTransport,
        description: "lists the fail tool without its required name",
    },
    FaultInfo {
        fault: Fault::StructuredContentMismatch,
        name: "structured-content-mismatch",
        breaks: &["TOOLS-008"],
        scope: Scope::AnyTransport,
        description: "add returns structuredContent {\"sum\": \"<text>\"}, which fails its outputSchema (2025-06-18+)",
    },
    FaultInfo {
        fault: Fault::CallResultInvalid,
        name: "call-result-invalid",
        breaks: &["schema:CallToolResult"],
        scope: Scope::AnyTransport,
        description: "appends a content block of the unknown type \"hologram\" to every tools/call result",
    },
    FaultInfo {
        fault: Fault::StdoutGarbage,
        name: "stdout-garbage",
        breaks: &["STDIO-002"],
        scope: Scope::Stdio,
        description: "writes a non-JSON banner line to stdout before the first response",
    },
    FaultInfo {
        fault: Fault::SessionIdIgnoredAfterDelete,
        name: "session-id-ignored-after-delete",
        breaks: &["L-HTTP-011", "L-HTTP-012"],
        scope: Scope::StreamableHttp,
        description: "acknowledges DELETE but keeps serving the session id instead of answering 404",
    },
    FaultInfo {
        fault: Fault::NoOriginCheck,
        name: "no-origin-check",
        breaks: &["HTTP-003", "L-HTTP-014"],
        scope: Scope::Http,
        description: "accepts requests whatever their Origin header says",
    },
    FaultInfo {
        fault: Fault::HeaderMismatchIgnored,
        name: "header-mismatch-ignored",
        breaks: &["HTTP-020"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 accepts a Mcp-Method header that differs from the body's method",
    },
    FaultInfo {
        fault: Fault::AuthWrongAudienceAccepted,
        name: "auth-wrong-audience-accepted",
        breaks: &["AUTH-007"],
        scope: Scope::Http,
        description: "with --auth, accepts bearer tokens whose aud names another resource",
    },
    FaultInfo {
        fault: Fault::AuthNoWwwAuthenticate,
        name: "auth-no-www-authenticate",
        breaks: &["AUTH-008", "L-AUTH-001"],
        scope: Scope::Http,
        description: "with --auth, answers 401 without a WWW-Authenticate header (so without resource_metadata)",
    },
    FaultInfo {
        fault: Fault::AuthExpiredAccepted,
        name: "auth-expired-accepted",
        breaks: &["AUTH-008"],
        scope: Scope::Http,
        description: "with --auth, accepts bearer tokens whose exp has passed",
    },
    FaultInfo {
        fault: Fault::S2cWithoutCapability,
        name: "s2c-without-capability",
        breaks: &["L-S2C-001", "S2C-006"],
        scope: Scope::AnyTransport,
        description: "the ask tool sends sampling/createMessage (in 2026-07-28: an inputRequests entry) though the client did not declare sampling",
    },
    FaultInfo {
        fault: Fault::S2cRequestInStateless,
        name: "s2c-request-in-stateless",
        breaks: &["JSONRPC-016", "STDIO-004", "HTTP-010", "S2C-001"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 the ask tool sends elicitation/create as a JSON-RPC request instead of returning input_required",
    },
    FaultInfo {
        fault: Fault::InputRequiredIgnoresResponses,
        name: "input-required-ignores-responses",
        breaks: &["S2C-001"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 the ask tool answers input_required again even when the retry carries every inputResponse",
    },
    FaultInfo {
        fault: Fault::ResourceNotFoundWrongCode,
        name: "resource-not-found-wrong-code",
        breaks: &["RESOURCES-005", "L-RES-002", "JSONRPC-012"],
        scope: Scope::AnyTransport,
        description: "answers resources/read for an unknown URI with -32602 in the handshake era and -32002 in 2026-07-28 (each the other era's code)",
    },
    FaultInfo {
        fault: Fault::ResourceNotFoundEmptyContents,
        name: "resource-not-found-empty-contents",
        breaks: &["RESOURCES-006"],
        scope: Scope::AnyTransport,
        description: "answers resources/read for an unknown URI with an empty contents array instead of an error",
    },
    FaultInfo {
        fault: Fault::ReadBlobNotBase64,
        name: "read-blob-not-base64",
        breaks: &["RESOURCES-013", "schema:BlobResourceContents"],
        scope: Scope::AnyTransport,
        description: "reads binary resources (ref://logo, ref://bytes/{size}) with a blob that is not Base64",
    },
    FaultInfo {
        fault: Fault::TemplateInvalid,
        name: "template-invalid",
        breaks: &["RESOURCES-016"],
        scope: Scope::AnyTransport,
        description: "lists the ref://items/{id} template as \"ref://items/{id\" (an unclosed expression, not an RFC 6570 template)",
    },
    FaultInfo {
        fault: Fault::PromptMissingArgumentAccepted,
        name: "prompt-missing-argument-accepted",
        breaks: &["PROMPTS-007", "PROMPTS-008"],
        scope: Scope::AnyTransport,
        description: "answers prompts/get without a required argument with a prompt instead of -32602",
    },
    FaultInfo {
        fault: Fault::CompletionTooManyValues,
        name: "completion-too-many-values",
        breaks: &["UTIL-023", "schema:CompleteResult"],
        scope: Scope::AnyTransport,
        description: "returns every match in completion.values, 120 for an empty item id, beyond the limit of 100 (schema maxItems in 2026-07-28)",
    },
    FaultInfo {
        fault: Fault::CompletionWithoutCapability,
        name: "completion-without-capability",
        breaks: &["UTIL-022"],
        scope: Scope::AnyTransport,
        description: "serves completion/complete but leaves the completions capability out (2025-03-26+)",
    },
    FaultInfo {
        fault: Fault::LogWithoutLevel,
        name: "log-without-level",
        breaks: &["UTIL-016"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 the log tool sends notifications/message although the request's _meta has no logLevel",
    },
    FaultInfo {
        fault: Fault::LogBelowLevel,
        name: "log-below-level",
        breaks: &["UTIL-017", "L-LOG-001"],
        scope: Scope::AnyTransport,
        description: "the log tool sends messages at every level, also below the one set (logging/setLevel or _meta logLevel)",
    },
    FaultInfo {
        fault: Fault::LogWithoutCapability,
        name: "log-without-capability",
        breaks: &["UTIL-015"],
        scope: Scope::AnyTransport,
        description: "sends notifications/message but leaves the logging capability out",
    },
    FaultInfo {
        fault: Fault::LogLevelUnknownAccepted,
        name: "log-level-unknown-accepted",
        breaks: &["UTIL-019"],
        scope: Scope::AnyTransport,
        description: "accepts an unknown log level (logging/setLevel, or _meta logLevel in 2026-07-28) instead of answering -32602",
    },
    FaultInfo {
        fault: Fault::ProgressNotIncreasing,
        name: "progress-not-increasing",
        breaks: &["UTIL-008"],
        scope: Scope::AnyTransport,
        description: "the progress tool sends each progress value twice, so progress does not strictly increase",
    },
    FaultInfo {
        fault: Fault::ProgressAfterResponse,
        name: "progress-after-response",
        breaks: &["UTIL-009"],
        scope: Scope::AnyTransport,
        description: "the progress tool sends its last notifications/progress after the response (over Streamable HTTP on the same stream)",
    },
    FaultInfo {
        fault: Fault::ProgressWithoutToken,
        name: "progress-without-token",
        breaks: &["UTIL-007"],
        scope: Scope::AnyTransport,
        description: "the progress tool sends notifications/progress with a token of its own when the request carried no progressToken",
    },
    FaultInfo {
        fault: Fault::ResponseAfterCancel,
        name: "response-after-cancel",
        breaks: &["UTIL-003", "STDIO-007"],
        scope: Scope::AnyTransport,
        description: "ignores notifications/cancelled: a cancelled request (e.g. slow) still runs and is answered (not observable where closing a 2026-07-28 HTTP stream cancels)",
    },
    FaultInfo {
        fault: Fault::CursorInvalidAccepted,
        name: "cursor-invalid-accepted",
        breaks: &["UTIL-014"],
        scope: Scope::AnyTransport,
        description: "reads an invalid cursor as the start of the list instead of answering -32602",
    },
    FaultInfo {
        fault: Fault::NextCursorOnLastPage,
        name: "next-cursor-on-last-page",
        breaks: &["UTIL-012", "TOOLS-005", "PROMPTS-003", "RESOURCES-003"],
        scope: Scope::AnyTransport,
        description: "the last page of every list carries a nextCursor, which leads to an empty page",
    },
    FaultInfo {
        fault: Fault::UpdatesAfterUnsubscribe,
        name: "updates-after-unsubscribe",
        breaks: &["L-RES-001"],
        scope: Scope::AnyTransport,
        description: "acknowledges resources/unsubscribe but keeps sending notifications/resources/updated for the URI",
    },
    FaultInfo {
        fault: Fault::ListenNoAcknowledgement,
        name: "listen-no-acknowledgement",
        breaks: &["SUBS-002"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 opens subscriptions/listen streams without notifications/subscriptions/acknowledged",
    },
    FaultInfo {
        fault: Fault::ListenUnrequestedNotification,
        name: "listen-unrequested-notification",
        breaks: &["SUBS-001"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 sends every list_changed notification on every listen stream, whatever its filter asked for",
    },
    FaultInfo {
        fault: Fault::ListenTeardownWithoutCancelled,
        name: "listen-teardown-without-cancelled",
        breaks: &["UTIL-001", "SUBS-006"],
        scope: Scope::Stdio,
        description: "in 2026-07-28, when stdin closes, ends listen streams with their result but without notifications/cancelled",
    },
    FaultInfo {
        fault: Fault::ListChangedWithoutCapability,
        name: "list-changed-without-capability",
        breaks: &["L-LIFE-004", "L-LIST-001", "TOOLS-014"],
        scope: Scope::AnyTransport,
        description: "declares listChanged: false for tools, prompts and resources but still sends their list_changed notifications",
    },
    FaultInfo {
        fault: Fault::MissingCacheFields,
        name: "missing-cache-fields",
        breaks: &["CACHE-001"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 leaves ttlMs and cacheScope out of resources/list, resources/templates/list, prompts/list and resources/read results",
    },
    FaultInfo {
        fault: Fault::SessionIdPredictable,
        name: "session-id-predictable",
        breaks: &["L-HTTP-009"],
        scope: Scope::StreamableHttp,
        description: "issues session ids from a counter (1, 2, 3, ...) instead of cryptographically random ones",
    },
    FaultInfo {
        fault: Fault::ProtocolVersionHeaderIgnored,
        name: "protocol-version-header-ignored",
        breaks: &["L-HTTP-013"],
        scope: Scope::StreamableHttp,
        description: "serves session requests whatever their MCP-Protocol-Version header says instead of answering 400",
    },
    FaultInfo {
        fault: Fault::NotificationAnswered200,
        name: "notification-answered-200",
        breaks: &["HTTP-006", "L-HTTP-001"],
        scope: Scope::StreamableHttp,
        description: "answers accepted notifications (and client responses) with 200 instead of 202 Accepted",
    },
    FaultInfo {
        fault: Fault::AnswerWrongContentType,
        name: "answer-wrong-content-type",
        breaks: &["HTTP-008"],
        scope: Scope::StreamableHttp,
        description: "labels JSON answers to POSTed requests Content-Type: text/plain",
    },
    FaultInfo {
        fault: Fault::GetStreamWrongStatus,
        name: "get-stream-wrong-status",
        breaks: &["L-HTTP-004"],
        scope: Scope::StreamableHttp,
        description: "answers GET in a session with 400 instead of an SSE stream (or 405)",
    },
    FaultInfo {
        fault: Fault::MissingSessionId404,
        name: "missing-session-id-404",
        breaks: &["L-HTTP-010"],
        scope: Scope::StreamableHttp,
        description: "answers a request without Mcp-Session-Id (and without 2026-07-28 _meta) with 404 instead of 400",
    },
    FaultInfo {
        fault: Fault::AuthMetadataNoAuthorizationServers,
        name: "auth-metadata-no-authorization-servers",
        breaks: &["AUTH-003"],
        scope: Scope::Http,
        description: "with --auth, publishes Protected Resource Metadata without authorization_servers",
    },
    FaultInfo {
        fault: Fault::ToolArgumentsUnchecked,
        name: "tool-arguments-unchecked",
        breaks: &["TOOLS-018"],
        scope: Scope::AnyTransport,
        description: "runs tools with arguments that fail their inputSchema (a missing one reads as its default) instead of reporting an error",
    },
    FaultInfo {
        fault: Fault::ArgumentErrorsAsProtocolErrors,
        name: "argument-errors-as-protocol-errors",
        breaks: &["TOOLS-011"],
        scope: Scope::AnyTransport,
        description: "answers tool arguments that fail the inputSchema with JSON-RPC -32602 also from 2025-11-25 on, instead of a result with isError: true",
    },
    FaultInfo {
        fault: Fault::CompletionUnknownRefAccepted,
        name: "completion-unknown-ref-accepted",
        breaks: &["UTIL-024"],
        scope: Scope::AnyTransport,
        description: "answers completion/complete for an unknown prompt, template or argument with an empty completion instead of -32602",
    },
    FaultInfo {
        fault: Fault::ResourceUriInvalid,
        name: "resource-uri-invalid",
        breaks: &["RESOURCES-010"],
        scope: Scope::AnyTransport,
        description: "lists first a resource whose URI, \"ref://not a uri\", holds spaces (not RFC 3986)",
    },
    FaultInfo {
        fault: Fault::TasksCapabilityMissing,
        name: "tasks-capability-missing",
        breaks: &["L-TASK-001"],
        scope: Scope::AnyTransport,
        description: "leaves the tasks capability out of initialize (2025-11-25) while tools still declare execution.taskSupport and tasks are accepted",
    },
    FaultInfo {
        fault: Fault::TaskRequiredRunPlainly,
        name: "task-required-run-plainly",
        breaks: &["L-TASK-002"],
        scope: Scope::AnyTransport,
        description: "runs the job tool (execution.taskSupport \"required\") when it is called without a task instead of answering -32601",
    },
    FaultInfo {
        fault: Fault::TaskForbiddenAccepted,
        name: "task-forbidden-accepted",
        breaks: &["L-TASK-002"],
        scope: Scope::AnyTransport,
        description: "creates a task for a tool whose execution.taskSupport is forbidden or absent instead of answering -32601",
    },
    FaultInfo {
        fault: Fault::TaskIdsReused,
        name: "task-ids-reused",
        breaks: &["L-TASK-003", "L-TASK-011"],
        scope: Scope::AnyTransport,
        description: "names every task after its tool (task-<tool>), so two tasks of one tool share an id",
    },
    FaultInfo {
        fault: Fault::TaskStatusReverts,
        name: "task-status-reverts",
        breaks: &["L-TASK-004"],
        scope: Scope::AnyTransport,
        description: "reports a terminal task as working in tasks/get once tasks/result has returned its result",
    },
    FaultInfo {
        fault: Fault::TaskNotCreated,
        name: "task-not-created",
        breaks: &["L-TASK-005"],
        scope: Scope::AnyTransport,
        description: "answers a task-augmented tools/call with the tool's CallToolResult instead of a CreateTaskResult",
    },
    FaultInfo {
        fault: Fault::TaskMissingTimestamps,
        name: "task-missing-timestamps",
        breaks: &["L-TASK-006"],
        scope: Scope::AnyTransport,
        description: "leaves lastUpdatedAt and ttl out of every Task object",
    },
    FaultInfo {
        fault: Fault::TaskResultNotBlocking,
        name: "task-result-not-blocking",
        breaks: &["L-TASK-007"],
        scope: Scope::AnyTransport,
        description: "answers tasks/result for a task that is still working with -32603 instead of waiting until it is terminal",
    },
    FaultInfo {
        fault: Fault::TaskResultWithoutRelatedTask,
        name: "task-result-without-related-task",
        breaks: &["L-TASK-007", "L-TASK-008"],
        scope: Scope::AnyTransport,
        description: "returns the result of tasks/result without _meta[\"io.modelcontextprotocol/related-task\"]",
    },
    FaultInfo {
        fault: Fault::TaskCancelTerminalAccepted,
        name: "task-cancel-terminal-accepted",
        breaks: &["L-TASK-009"],
        scope: Scope::AnyTransport,
        description: "accepts tasks/cancel for a completed or failed task (and marks it cancelled) instead of answering -32602",
    },
    FaultInfo {
        fault: Fault::TaskCancelNotFinal,
        name: "task-cancel-not-final",
        breaks: &["L-TASK-009", "L-TASK-004"],
        scope: Scope::AnyTransport,
        description: "lets a cancelled task's work run on, and its end moves the task from cancelled to completed",
    },
    FaultInfo {
        fault: Fault::TaskListInvalidCursorAccepted,
        name: "task-list-invalid-cursor-accepted",
        breaks: &["L-TASK-010"],
        scope: Scope::AnyTransport,
        description: "reads a tasks/list cursor it never issued as the start of the list instead of answering -32602",
    },
    FaultInfo {
        fault: Fault::ParseErrorWrongCode,
        name: "parse-error-wrong-code",
        breaks: &["JSONRPC-008"],
        scope: Scope::AnyTransport,
        description: "answers a frame that is not JSON with -32600 (Invalid Request) instead of -32700 (Parse error)",
    },
    FaultInfo {
        fault: Fault::InvalidRequestWrongCode,
        name: "invalid-request-wrong-code",
        breaks: &["JSONRPC-008"],
        scope: Scope::AnyTransport,
        description: "answers JSON that is not a valid JSON-RPC request (e.g. a non-string method) with -32700 instead of -32600",
    },
    FaultInfo {
        fault: Fault::InvalidParamsWrongCode,
        name: "invalid-params-wrong-code",
        breaks: &["JSONRPC-008", "TOOLS-012"],
        scope: Scope::AnyTransport,
        description: "answers tools/call whose name or arguments have the wrong JSON type with -32603 (Internal error) instead of -32602",
    },
    FaultInfo {
        fault: Fault::NotificationAnswered,
        name: "notification-answered",
        breaks: &["JSONRPC-014"],
        scope: Scope::AnyTransport,
        description: "answers notifications of methods it does not know with a -32601 error (id null)",
    },
    FaultInfo {
        fault: Fault::ResponseIdTypeChanged,
        name: "response-id-type-changed",
        breaks: &["JSONRPC-003"],
        scope: Scope::StdioAndSse,
        description: "answers a request whose id is a string of digits (\"42\") with the integer id 42 (on Streamable HTTP only in handshake-era sessions)",
    },
    FaultInfo {
        fault: Fault::ResponseDuplicated,
        name: "response-duplicated",
        breaks: &["JSONRPC-003"],
        scope: Scope::StdioAndSse,
        description: "sends the response to every request with a string id twice",
    },
    FaultInfo {
        fault: Fault::BatchNotSupported,
        name: "batch-not-supported",
        breaks: &["L-BATCH-001"],
        scope: Scope::AnyTransport,
        description: "refuses JSON-RPC batches with -32600 also in 2025-03-26, which requires accepting them",
    },
    FaultInfo {
        fault: Fault::BatchAccepted,
        name: "batch-accepted",
        breaks: &["JSONRPC-017", "STDIO-002"],
        scope: Scope::StdioAndSse,
        description: "answers a JSON-RPC batch with an array of responses in every version, not only 2025-03-26",
    },
    FaultInfo {
        fault: Fault::StdinCloseIgnored,
        name: "stdin-close-ignored",
        breaks: &["STDIO-008"],
        scope: Scope::Stdio,
        description: "keeps running when stdin reaches its end, until killed",
    },
    FaultInfo {
        fault: Fault::ErrorMissingMessage,
        name: "error-missing-message",
        breaks: &["JSONRPC-008"],
        scope: Scope::StdioAndSse,
        description: "leaves the message out of -32601 (Method not found) errors (on Streamable HTTP only in handshake-era sessions)",
    },
    FaultInfo {
        fault: Fault::UnknownMethodStatus200,
        name: "unknown-method-status-200",
        breaks: &["HTTP-018"],
        scope: Scope::StreamableHttp,
        description: "answers an unknown method in 2026-07-28 with the right -32601 error but HTTP status 200 instead of 404",
    },
    FaultInfo {
        fault: Fault::EventIdsPerStream,
        name: "event-ids-per-stream",
        breaks: &["L-HTTP-007"],
        scope: Scope::StreamableHttp,
        description: "numbers SSE event ids per stream without naming the stream, so the streams of a session reuse each other's ids",
    },
    FaultInfo {
        fault: Fault::ReplayForeignStream,
        name: "replay-foreign-stream",
        breaks: &["L-HTTP-008"],
        scope: Scope::StreamableHttp,
        description: "answers a GET with Last-Event-ID by replaying the session's next stream instead of the one the id names",
    },
    FaultInfo {
        fault: Fault::OriginCheckedOnPostOnly,
        name: "origin-checked-on-post-only",
        breaks: &["HTTP-002"],
        scope: Scope::Http,
        description: "validates Origin on POST only: GET (the SSE stream, the Streamable HTTP GET) is served whatever its Origin says",
    },
    FaultInfo {
        fault: Fault::RefusedNotificationAnswered200,
        name: "refused-notification-answered-200",
        breaks: &["HTTP-007"],
        scope: Scope::StreamableHttp,
        description: "answers a notification it refuses (one bearing an unknown Mcp-Session-Id) with 200 and an id-less error body instead of an error status",
    },
    FaultInfo {
        fault: Fault::HeaderMismatchStatus200,
        name: "header-mismatch-status-200",
        breaks: &["HTTP-028"],
        scope: Scope::StreamableHttp,
        description: "sends the -32020 error of a failed header validation with HTTP 200 instead of 400",
    },
    FaultInfo {
        fault: Fault::AuthMetadataNoResource,
        name: "auth-metadata-no-resource",
        breaks: &["AUTH-002"],
        scope: Scope::Http,
        description: "with --auth, publishes Protected Resource Metadata without the required resource field",
    },
    FaultInfo {
        fault: Fault::AuthMetadataUndiscoverable,
        name: "auth-metadata-undiscoverable",
        breaks: &["AUTH-004", "L-AUTH-001"],
        scope: Scope::Http,
        description: "with --auth, names no resource_metadata in its challenges and serves nothing at the well-known URIs",
    },
    FaultInfo {
        fault: Fault::AuthMissingToken403,
        name: "auth-missing-token-403",
        breaks: &["AUTH-010"],
        scope: Scope::Http,
        description: "with --auth, answers a request without credentials with 403 instead of 401",
    },
    FaultInfo {
        fault: Fault::AuthServerMetadataMissing,
        name: "auth-server-metadata-missing",
        breaks: &["L-AUTH-002"],
        scope: Scope::Http,
        description: "with --auth, serves neither /.well-known/oauth-authorization-server nor the default /authorize, /token and /register endpoints",
    },
    FaultInfo {
        fault: Fault::VersionHeaderMismatchIgnored,
        name: "version-header-mismatch-ignored",
        breaks: &["HTTP-016"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 serves a request whose MCP-Protocol-Version header differs from its _meta version",
    },
    FaultInfo {
        fault: Fault::NameHeaderMismatchIgnored,
        name: "name-header-mismatch-ignored",
        breaks: &["HTTP-021"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 serves tools/call, prompts/get and resources/read whatever their Mcp-Name header says",
    },
    FaultInfo {
        fault: Fault::MethodHeaderCaseInsensitive,
        name: "method-header-case-insensitive",
        breaks: &["HTTP-027"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 compares the Mcp-Method header with the body's method ignoring case (header values are case-sensitive)",
    },
    FaultInfo {
        fault: Fault::SessionIdInStateless,
        name: "session-id-in-stateless",
        breaks: &["HTTP-032"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 echoes the request's Mcp-Session-Id on the answer, or issues a fresh one",
    },
    FaultInfo {
        fault: Fault::AuthChallengeWithoutScope,
        name: "auth-challenge-without-scope",
        breaks: &["AUTH-005"],
        scope: Scope::Http,
        description: "with --auth, leaves the scope parameter out of its WWW-Authenticate challenges",
    },
    FaultInfo {
        fault: Fault::AuthOfflineAccessRequested,
        name: "auth-offline-access-requested",
        breaks: &["AUTH-014"],
        scope: Scope::Http,
        description: "with --auth, asks for offline_access in its challenges and lists it in scopes_supported",
    },
    FaultInfo {
        fault: Fault::AuthAnyTokenAccepted,
        name: "auth-any-token-accepted",
        breaks: &["AUTH-006"],
        scope: Scope::Http,
        description: "with --auth, serves a request bearing any token at all, without validating it",
    },
    FaultInfo {
        fault: Fault::NoHostCheck,
        name: "no-host-check",
        breaks: &["HTTP-002"],
        scope: Scope::Http,
        description: "serves requests whatever host their Host header names, so a DNS-rebound page's GET gets through",
    },
    FaultInfo {
        fault: Fault::SseWithoutAccelBuffering,
        name: "sse-without-accel-buffering",
        breaks: &["HTTP-012"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 sends SSE responses without X-Accel-Buffering: no",
    },
    FaultInfo {
        fault: Fault::EncodedNameHeaderNotDecoded,
        name: "encoded-name-header-not-decoded",
        breaks: &["HTTP-022"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 compares a =?base64?...?= Mcp-Name with the body as it stands, without decoding it",
    },
    FaultInfo {
        fault: Fault::DiscoverNoServerInfo,
        name: "discover-no-server-info",
        breaks: &["LIFECYCLE-004"],
        scope: Scope::AnyTransport,
        description: "leaves _meta[\"io.modelcontextprotocol/serverInfo\"] out of the server/discover result",
    },
    FaultInfo {
        fault: Fault::InitializeNoServerInfo,
        name: "initialize-no-server-info",
        breaks: &["L-LIFE-001"],
        scope: Scope::AnyTransport,
        description: "answers initialize without the required serverInfo",
    },
    FaultInfo {
        fault: Fault::ErrorIdDropped,
        name: "error-id-dropped",
        breaks: &["JSONRPC-007"],
        scope: Scope::StdioAndSse,
        description: "answers a request whose id is a string with an error whose id is null, although the id was readable (on Streamable HTTP only in handshake-era sessions)",
    },
    FaultInfo {
        fault: Fault::UndefinedMcpErrorCode,
        name: "undefined-mcp-error-code",
        breaks: &["JSONRPC-010"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 answers tools/call for an unknown tool with -32040, a code of the range reserved for the spec that it does not define",
    },
    FaultInfo {
        fault: Fault::LegacyErrorCode,
        name: "legacy-error-code",
        breaks: &["JSONRPC-011"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 answers prompts/get for an unknown prompt with -32001, from the legacy sub-range -32000..-32019",
    },
    FaultInfo {
        fault: Fault::ReservedErrorCode,
        name: "reserved-error-code",
        breaks: &["JSONRPC-013"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 answers tools/call for an unknown tool with -32500, an application code inside the JSON-RPC reserved block",
    },
    FaultInfo {
        fault: Fault::ClientCapabilitiesNotRequired,
        name: "client-capabilities-not-required",
        breaks: &["LIFECYCLE-007"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 serves a request whose _meta lacks io.modelcontextprotocol/clientCapabilities as if it declared none, instead of answering -32602",
    },
    FaultInfo {
        fault: Fault::MetaKeyInvalid,
        name: "meta-key-invalid",
        breaks: &["JSONRPC-018"],
        scope: Scope::AnyTransport,
        description: "lists the echo tool with the _meta key \"com.example.reference/-draft\", whose name starts with a hyphen (2025-06-18+)",
    },
    FaultInfo {
        fault: Fault::ExtensionUnprefixed,
        name: "extension-unprefixed",
        breaks: &["LIFECYCLE-015"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 declares the extension \"reference-notes\" in capabilities.extensions, an identifier without the mandatory prefix",
    },
    FaultInfo {
        fault: Fault::ToolsCapabilityUndeclared,
        name: "tools-capability-undeclared",
        breaks: &["LIFECYCLE-019"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 leaves tools out of the discover capabilities while tools/list and tools/call are still served",
    },
    FaultInfo {
        fault: Fault::ResultWithoutServerInfo,
        name: "result-without-server-info",
        breaks: &["LIFECYCLE-005"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 answers resources/templates/list without _meta[\"io.modelcontextprotocol/serverInfo\"]",
    },
    FaultInfo {
        fault: Fault::ResultTypeMissing,
        name: "result-type-missing",
        breaks: &["JSONRPC-005"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 answers resources/templates/list without resultType",
    },
    FaultInfo {
        fault: Fault::ResultTypeUnknown,
        name: "result-type-unknown",
        breaks: &["JSONRPC-006"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 answers resources/templates/list with resultType \"partial\", a value neither the core protocol nor a declared extension defines",
    },
    FaultInfo {
        fault: Fault::InputRequiredEmpty,
        name: "input-required-empty",
        breaks: &["S2C-005"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 the ask tool's first answer is {\"resultType\": \"input_required\"} with neither inputRequests nor requestState",
    },
    FaultInfo {
        fault: Fault::InputRequestsWithId,
        name: "input-requests-with-id",
        breaks: &["S2C-004"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 every inputRequests entry of the ask tool carries \"jsonrpc\" and an \"id\", as if it were a request of its own",
    },
    FaultInfo {
        fault: Fault::InputRequiredCacheHints,
        name: "input-required-cache-hints",
        breaks: &["CACHE-004"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 the ask tool's input_required results carry ttlMs and cacheScope",
    },
    FaultInfo {
        fault: Fault::MissingAnswersRefused,
        name: "missing-answers-refused",
        breaks: &["S2C-013"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 answers an ask retry that lacks some inputResponses with -32602 instead of a fresh input_required",
    },
    FaultInfo {
        fault: Fault::SamplingToolsUndeclared,
        name: "sampling-tools-undeclared",
        breaks: &["S2C-014"],
        scope: Scope::AnyTransport,
        description: "from 2025-11-25 the ask tool's sampling request carries tools and toolChoice although the client did not declare sampling.tools",
    },
    FaultInfo {
        fault: Fault::ElicitationUrlUndeclared,
        name: "elicitation-url-undeclared",
        breaks: &["S2C-020"],
        scope: Scope::AnyTransport,
        description: "from 2025-11-25 the ask tool elicits in URL mode although the client declared form mode only",
    },
    FaultInfo {
        fault: Fault::CacheTtlNegative,
        name: "cache-ttl-negative",
        breaks: &["CACHE-002"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 gives resources/read results ttlMs -1",
    },
    FaultInfo {
        fault: Fault::CacheScopeInvalid,
        name: "cache-scope-invalid",
        breaks: &["CACHE-003"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 gives prompts/list results cacheScope \"shared\" (neither public nor private)",
    },
    FaultInfo {
        fault: Fault::CacheScopePerPage,
        name: "cache-scope-per-page",
        breaks: &["CACHE-005"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 marks the pages of tools/list after the first cacheScope \"private\" (the first stays public)",
    },
    FaultInfo {
        fault: Fault::ElicitationNestedForm,
        name: "elicitation-nested-form",
        breaks: &["S2C-021"],
        scope: Scope::AnyTransport,
        description: "the ask tool's elicitation form holds an object field (address), not only primitives",
    },
    FaultInfo {
        fault: Fault::SamplingToolResultsMixed,
        name: "sampling-tool-results-mixed",
        breaks: &["S2C-017"],
        scope: Scope::AnyTransport,
        description: "from 2025-11-25 the ask tool's sampling request ends with a user message holding a tool_result and a text block",
    },
    FaultInfo {
        fault: Fault::SamplingContextUndeclared,
        name: "sampling-context-undeclared",
        breaks: &["S2C-015"],
        scope: Scope::AnyTransport,
        description: "from 2025-11-25 the ask tool's sampling request says includeContext \"thisServer\" although the client did not declare sampling.context",
    },
    FaultInfo {
        fault: Fault::ListenAcknowledgementWidened,
        name: "listen-acknowledgement-widened",
        breaks: &["SUBS-003"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 acknowledges a subscriptions/listen with all three list-change types, whatever it asked for (delivery still follows the filter)",
    },
    FaultInfo {
        fault: Fault::MalformedInputResponsesAccepted,
        name: "malformed-input-responses-accepted",
        breaks: &["S2C-011"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 serves an ask retry whose inputResponses is not an object as if it had none, instead of answering -32602",
    },
    FaultInfo {
        fault: Fault::ExtraInputResponsesRefused,
        name: "extra-input-responses-refused",
        breaks: &["S2C-012"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 answers an ask retry carrying an inputResponses entry it did not ask for with -32602 instead of ignoring it",
    },
    FaultInfo {
        fault: Fault::TaskResultWithoutExtension,
        name: "task-result-without-extension",
        breaks: &["TASKS-001", "TASKS-002", "LIFECYCLE-016"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 answers tools/call echo with resultType \"task\" although neither the client nor the server named the tasks extension",
    },    FaultInfo {
        fault: Fault::TracedResponseJsonrpcVersion,
        name: "traced-response-jsonrpc-1",
        breaks: &["JSONRPC-001"],
        scope: Scope::AnyTransport,
        description: "responses that continue a W3C trace (the request's _meta had a traceparent) say \"jsonrpc\": \"1.0\"",
    },
    FaultInfo {
        fault: Fault::TracedResultNotObject,
        name: "traced-result-not-object",
        breaks: &["JSONRPC-004"],
        scope: Scope::AnyTransport,
        description: "the result of responses that continue a W3C trace is wrapped in an array",
    },
    FaultInfo {
        fault: Fault::TracedNotificationWithId,
        name: "traced-notification-with-id",
        breaks: &["JSONRPC-015"],
        scope: Scope::Stdio,
        description: "before answering a request with a traceparent, sends a notifications/message that has an id",
    },
    FaultInfo {
        fault: Fault::TracedResponseMultiline,
        name: "traced-response-multiline",
        breaks: &["STDIO-001"],
        scope: Scope::Stdio,
        description: "writes responses that continue a W3C trace pretty-printed, over several stdout lines",
    },
    FaultInfo {
        fault: Fault::TracedResponseNotUtf8,
        name: "traced-response-not-utf8",
        breaks: &["JSONRPC-002"],
        scope: Scope::Stdio,
        description: "writes responses that continue a W3C trace with a 0xFF byte (never UTF-8) in their traceparent",
    },
    FaultInfo {
        fault: Fault::CancelStalls,
        name: "cancel-stalls",
        breaks: &["UTIL-005", "UTIL-004"],
        scope: Scope::Stdio,
        description: "after a notifications/cancelled (for a running request or not) answers no more requests",
    },
    FaultInfo {
        fault: Fault::CancelUnknownAnswered,
        name: "cancel-unknown-answered",
        breaks: &["UTIL-006"],
        scope: Scope::Stdio,
        description: "answers a notifications/cancelled that names no running request (unknown, finished or malformed) with -32602",
    },
    FaultInfo {
        fault: Fault::CursorInvalidInternalError,
        name: "cursor-invalid-internal-error",
        breaks: &["UTIL-013"],
        scope: Scope::AnyTransport,
        description: "answers a list request whose cursor it never issued with -32603 (Internal error), as if the cursor broke it",
    },    FaultInfo {
        fault: Fault::TraceparentMalformed,
        name: "traceparent-malformed",
        breaks: &["JSONRPC-019"],
        scope: Scope::AnyTransport,
        description: "continues a request's W3C trace with a traceparent in upper-case hex, which W3C Trace Context forbids",
    },    FaultInfo {
        fault: Fault::ServerCancelsTracedRequest,
        name: "server-cancels-traced-request",
        breaks: &["UTIL-002"],
        scope: Scope::Stdio,
        description: "in 2026-07-28 sends notifications/cancelled naming a request with a traceparent before answering it (no listen teardown)",
    },
    FaultInfo {
        fault: Fault::TracedStrayNotification,
        name: "traced-stray-notification",
        breaks: &["STDIO-005"],
        scope: Scope::Stdio,
        description: "in 2026-07-28 follows the answer to a request with a traceparent by a notifications/message tied to no request and no listen stream",
    },    FaultInfo {
        fault: Fault::ServerRequestIdsReused,
        name: "server-request-ids-reused",
        breaks: &["L-JSONRPC-001"],
        scope: Scope::Stdio,
        description: "gives every request it sends the client (the ask tool's roots, sampling and elicitation) the id 1",
    },    FaultInfo {
        fault: Fault::TracedErrorVerbose,
        name: "traced-error-verbose",
        breaks: &["JSONRPC-009"],
        scope: Scope::AnyTransport,
        description: "errors answering a request with a traceparent carry the trace id and a multi-line stack trace in error.message",
    },
    FaultInfo {
        fault: Fault::CapabilitiesCarriedOver,
        name: "capabilities-carried-over",
        breaks: &["LIFECYCLE-010"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 remembers the client capabilities earlier requests declared (per stdio process, or server-wide over HTTP) and lets ask and the asking fixtures use them",
    },
    FaultInfo {
        fault: Fault::MissingCapabilityAsToolError,
        name: "missing-capability-as-tool-error",
        breaks: &["LIFECYCLE-009"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 answers test_sampling / test_elicitation called without the capability they need with isError: true instead of -32021 naming requiredCapabilities",
    },
    FaultInfo {
        fault: Fault::ListsChangeAfterCalls,
        name: "lists-change-after-calls",
        breaks: &["TOOLS-003", "RESOURCES-002", "PROMPTS-002"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 tools/list, prompts/list and resources/list drop their last item while an odd number of tools/call requests has been served",
    },
    FaultInfo {
        fault: Fault::ToolsOrderVaries,
        name: "tools-order-varies",
        breaks: &["TOOLS-004"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 rotates the tool list by one more place on every first page of tools/list",
    },
    FaultInfo {
        fault: Fault::InitializeRefusedWithoutVersions,
        name: "initialize-refused-without-versions",
        breaks: &["LIFECYCLE-017"],
        scope: Scope::AnyTransport,
        description: "refuses initialize like a server of 2026-07-28 only, with -32601 and a message that names no protocol version",
    },
    FaultInfo {
        fault: Fault::UndeclaredCapabilitiesAssumed,
        name: "undeclared-capabilities-assumed",
        breaks: &["LIFECYCLE-008"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 lets ask and the asking fixtures ask for sampling, roots and elicitation whatever the request's clientCapabilities declare",
    },
    FaultInfo {
        fault: Fault::RequestStateLatestOnly,
        name: "request-state-latest-only",
        breaks: &["LIFECYCLE-013", "LIFECYCLE-011"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 ask takes the requestState it issued last for the one conversation in progress: a retry with an earlier one gets isError: true",
    },
    FaultInfo {
        fault: Fault::ParamHeaderMismatchIgnored,
        name: "param-header-mismatch-ignored",
        breaks: &["HTTP-023"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 serves a tools/call of mirrored_params whose Mcp-Param-* headers are missing or differ from the arguments",
    },
    FaultInfo {
        fault: Fault::ParamHeaderDemandedWhenAbsent,
        name: "param-header-demanded-when-absent",
        breaks: &["HTTP-024"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 refuses a tools/call of mirrored_params without Mcp-Param-* headers for arguments that are absent or null",
    },
    FaultInfo {
        fault: Fault::ParamHeaderRawBytesAccepted,
        name: "param-header-raw-bytes-accepted",
        breaks: &["HTTP-025"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 accepts an Mcp-Param-* value of raw UTF-8 bytes (not visible ASCII) instead of refusing it",
    },
    FaultInfo {
        fault: Fault::ParamHeaderIntegerAsText,
        name: "param-header-integer-as-text",
        breaks: &["HTTP-026"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 compares integer Mcp-Param-* values as text, refusing Mcp-Param-Priority: 42.0 for priority 42",
    },
    FaultInfo {
        fault: Fault::ParamHeaderAnnotationInvalid,
        name: "param-header-annotation-invalid",
        breaks: &["HTTP-029", "TOOLS-019"],
        scope: Scope::AnyTransport,
        description: "lists mirrored_params with one more x-mcp-header, on a property of type number",
    },
    FaultInfo {
        fault: Fault::LastEventIdRefusedInStateless,
        name: "last-event-id-refused-in-stateless",
        breaks: &["HTTP-033"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 answers a request carrying Last-Event-ID with 400 (-32600, no resumption) instead of ignoring the header",
    },
    FaultInfo {
        fault: Fault::StatelessOnlyGetNot405,
        name: "stateless-only-get-not-405",
        breaks: &["HTTP-031"],
        scope: Scope::StreamableHttp,
        description: "poses as a 2026-07-28-only server (discover lists no other version, initialize is refused) and answers GET and DELETE on the endpoint without a session with 400 instead of 405",
    },
    FaultInfo {
        fault: Fault::ListensBeyondLoopback,
        name: "listens-beyond-loopback",
        breaks: &["HTTP-004"],
        scope: Scope::Http,
        description: "bound to 127.0.0.1:PORT, also accepts connections on 127.0.0.2:PORT, as a server bound to all interfaces does",
    },
    FaultInfo {
        fault: Fault::NotificationsNotAtEndpoint,
        name: "notifications-not-at-endpoint",
        breaks: &["HTTP-001"],
        scope: Scope::StreamableHttp,
        description: "answers notifications POSTed to the endpoint without a session id (2026-07-28) with 404, as if they had a path of their own",
    },
    FaultInfo {
        fault: Fault::ToolsCapabilityOmitted,
        name: "tools-capability-omitted",
        breaks: &["TOOLS-001"],
        scope: Scope::AnyTransport,
        description: "leaves tools out of the capabilities (initialize, or server/discover) in every version while tools/list and tools/call are still served",
    },
    FaultInfo {
        fault: Fault::ToolsListRefused,
        name: "tools-list-refused",
        breaks: &["TOOLS-002"],
        scope: Scope::AnyTransport,
        description: "answers tools/list with -32603 Internal error although the tools capability is declared",
    },
    FaultInfo {
        fault: Fault::ToolNameWithSpaces,
        name: "tool-name-with-spaces",
        breaks: &["TOOLS-007"],
        scope: Scope::AnyTransport,
        description: "lists the tool test_simple_text as \"test simple text\" (and answers calls by that name)",
    },
    FaultInfo {
        fault: Fault::ToolAnnotationMistyped,
        name: "tool-annotation-mistyped",
        breaks: &["TOOLS-017"],
        scope: Scope::AnyTransport,
        description: "from 2025-03-26 lists echo with the annotation openWorldHint: \"false\" (a string, not a boolean)",
    },
    FaultInfo {
        fault: Fault::StructuredContentWithoutText,
        name: "structured-content-without-text",
        breaks: &["TOOLS-009"],
        scope: Scope::AnyTransport,
        description: "from 2025-06-18 a structured result's (add, primes) text block says \"The result is in structuredContent.\" instead of holding its JSON",
    },
    FaultInfo {
        fault: Fault::ImageContentNotBase64,
        name: "image-content-not-base64",
        breaks: &["TOOLS-016"],
        scope: Scope::AnyTransport,
        description: "test_image_content returns an image block whose data is not Base64",
    },
    FaultInfo {
        fault: Fault::ResourcesCapabilityOmitted,
        name: "resources-capability-omitted",
        breaks: &["TOOLS-015"],
        scope: Scope::AnyTransport,
        description: "leaves resources out of the capabilities although tools (test_embedded_resource) embed resources",
    },
    FaultInfo {
        fault: Fault::StructuredContentWrapped,
        name: "structured-content-wrapped",
        breaks: &["TOOLS-010", "TOOLS-008"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 primes returns its array structuredContent wrapped in an object, as if structured content had to be an object",
    },    FaultInfo {
        fault: Fault::ProgressMessageUnreadable,
        name: "progress-message-unreadable",
        breaks: &["UTIL-010"],
        scope: Scope::AnyTransport,
        description: "from 2025-03-26 sends progress messages made of terminal control codes (\"\\u001b[2K\\r2/3\") instead of text",
    },
    FaultInfo {
        fault: Fault::CompletionUnranked,
        name: "completion-unranked",
        breaks: &["UTIL-025"],
        scope: Scope::AnyTransport,
        description: "completes every argument with all its candidates in catalogue order, whatever value was typed",
    },    FaultInfo {
        fault: Fault::StaleHandleAccepted,
        name: "stale-handle-accepted",
        breaks: &["TOOLS-020"],
        scope: Scope::AnyTransport,
        description: "tally answers a call with an unknown handle by silently opening a new counter, instead of a tool execution error",
    },
    FaultInfo {
        fault: Fault::ResourcesCapabilityUndeclared,
        name: "resources-capability-undeclared",
        breaks: &["RESOURCES-001", "LIFECYCLE-019"],
        scope: Scope::AnyTransport,
        description: "leaves resources out of the capabilities (initialize and discover) while resources/list and resources/read are still served",
    },
    FaultInfo {
        fault: Fault::PromptsCapabilityUndeclared,
        name: "prompts-capability-undeclared",
        breaks: &["PROMPTS-001", "LIFECYCLE-019"],
        scope: Scope::AnyTransport,
        description: "leaves prompts out of the capabilities (initialize and discover) while prompts/list and prompts/get are still served",
    },
    FaultInfo {
        fault: Fault::ResourceListChangeUnannounced,
        name: "resource-list-change-unannounced",
        breaks: &["RESOURCES-008"],
        scope: Scope::AnyTransport,
        description: "toggle adds or removes ref://toggled without notifications/resources/list_changed, although resources.listChanged is declared",
    },
    FaultInfo {
        fault: Fault::PromptListChangeUnannounced,
        name: "prompt-list-change-unannounced",
        breaks: &["PROMPTS-004"],
        scope: Scope::AnyTransport,
        description: "toggle adds or removes the prompt toggled without notifications/prompts/list_changed, although prompts.listChanged is declared",
    },
    FaultInfo {
        fault: Fault::ListenResourceUpdatesDropped,
        name: "listen-resource-updates-dropped",
        breaks: &["RESOURCES-009"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 acknowledges resourceSubscriptions of subscriptions/listen but never sends notifications/resources/updated on the stream",
    },
    FaultInfo {
        fault: Fault::ResourceUriUnvalidated,
        name: "resource-uri-unvalidated",
        breaks: &["RESOURCES-012"],
        scope: Scope::AnyTransport,
        description: "answers resources/read for any URI it cannot resolve (a file:// path climbing out with .., a malformed URI) with made-up text contents instead of an error",
    },
    FaultInfo {
        fault: Fault::ResourceAnnotationsInvalid,
        name: "resource-annotations-invalid",
        breaks: &["RESOURCES-015"],
        scope: Scope::AnyTransport,
        description: "lists ref://annotated with annotations.lastModified \"last Tuesday\", not an ISO 8601 date",
    },
    FaultInfo {
        fault: Fault::PromptImageInvalid,
        name: "prompt-image-invalid",
        breaks: &["PROMPTS-005"],
        scope: Scope::AnyTransport,
        description: "the image of test_prompt_with_image is not Base64 and its mimeType is \"png\" (no type/subtype)",
    },
    FaultInfo {
        fault: Fault::PromptEmbeddedResourceInvalid,
        name: "prompt-embedded-resource-invalid",
        breaks: &["PROMPTS-006"],
        scope: Scope::AnyTransport,
        description: "the resource summarize-item embeds has the mimeType \"text plain\", not a MIME type",
    },
    FaultInfo {
        fault: Fault::ResourceInternalErrorWrongCode,
        name: "resource-internal-error-wrong-code",
        breaks: &["RESOURCES-007"],
        scope: Scope::AnyTransport,
        description: "answers a read of ref://broken, which fails inside the server, with -32000 instead of -32603",
    },
    FaultInfo {
        fault: Fault::RequestStateUnverified,
        name: "request-state-unverified",
        breaks: &["S2C-007"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 the ask tool reads a requestState without verifying its integrity tag, so an altered state is served",
    },
    FaultInfo {
        fault: Fault::ElicitationIdInStateless,
        name: "elicitation-id-in-stateless",
        breaks: &["S2C-028"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 the ask tool's elicitation inputRequests entry carries an elicitationId",
    },
    FaultInfo {
        fault: Fault::ElicitationContentUnvalidated,
        name: "elicitation-content-unvalidated",
        breaks: &["S2C-027"],
        scope: Scope::AnyTransport,
        description: "the ask tool accepts elicitation content that does not fit the requestedSchema it asked with",
    },
    FaultInfo {
        fault: Fault::ElicitationRefusalUnhandled,
        name: "elicitation-refusal-unhandled",
        breaks: &["S2C-026"],
        scope: Scope::AnyTransport,
        description: "the ask tool breaks when its elicitation is declined, cancelled or fails: -32603 in 2026-07-28, no answer at all in the handshake era",
    },
    FaultInfo {
        fault: Fault::RequestsBeforeInitialized,
        name: "requests-before-initialized",
        breaks: &["L-LIFE-003"],
        scope: Scope::AnyTransport,
        description: "the ask tool sends its requests to the client before notifications/initialized arrived",
    },
    FaultInfo {
        fault: Fault::AuthInsufficientScope401,
        name: "auth-insufficient-scope-401",
        breaks: &["AUTH-011"],
        scope: Scope::Http,
        description: "with --auth, a valid token lacking a scope the request needs gets 401 invalid_token instead of 403 insufficient_scope",
    },
    FaultInfo {
        fault: Fault::AuthAudienceCaseSensitive,
        name: "auth-audience-case-sensitive",
        breaks: &["AUTH-016"],
        scope: Scope::Http,
        description: "with --auth, refuses a token whose aud writes the resource URL's scheme or host in another case",
    },
    FaultInfo {
        fault: Fault::InputRequiredOutsideMrtr,
        name: "input-required-outside-mrtr",
        breaks: &["S2C-002"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 resources/templates/list answers input_required (a requestState only) until the retry brings it back",
    },
    FaultInfo {
        fault: Fault::RootsWithoutCapability,
        name: "roots-without-capability",
        breaks: &["S2C-019", "L-S2C-001", "S2C-006"],
        scope: Scope::AnyTransport,
        description: "the ask tool asks for roots/list (in 2026-07-28: an inputRequests entry) though the client did not declare roots",
    },
    FaultInfo {
        fault: Fault::ElicitationFormLink,
        name: "elicitation-form-link",
        breaks: &["S2C-023"],
        scope: Scope::AnyTransport,
        description: "the ask tool's form elicitation message holds a URL the user is meant to follow",
    },
    FaultInfo {
        fault: Fault::RequestsDroppedUnderLoad,
        name: "requests-dropped-under-load",
        breaks: &["LIFECYCLE-001"],
        scope: Scope::AnyTransport,
        description: "works on each request for at least 20 ms and silently drops any request that arrives while eight are in flight",
    },
    FaultInfo {
        fault: Fault::OversizedWedges,
        name: "oversized-wedges",
        breaks: &["LIFECYCLE-001"],
        scope: Scope::AnyTransport,
        description: "stops serving (every later request waits forever) once a message over the 4 MiB cap arrives",
    },
    FaultInfo {
        fault: Fault::RequestNotificationsOnListenStreams,
        name: "request-notifications-on-listen-streams",
        breaks: &["SUBS-007", "UTIL-011", "UTIL-018"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 copies every progress and log notification of a request onto each open subscriptions/listen stream",
    },
    FaultInfo {
        fault: Fault::LogsOnAnotherRequestStream,
        name: "logs-on-another-request-stream",
        breaks: &["HTTP-009", "UTIL-018"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 sends a request's log messages on the oldest other tools/call stream still open instead of its own",
    },
    FaultInfo {
        fault: Fault::RequestStreamLeftOpen,
        name: "request-stream-left-open",
        breaks: &["HTTP-011"],
        scope: Scope::StreamableHttp,
        description: "keeps a request's SSE stream open for 3 s after its response instead of closing it (Streamable HTTP, 2025-03-26 on)",
    },
    FaultInfo {
        fault: Fault::ListenNotificationsUntagged,
        name: "listen-notifications-untagged",
        breaks: &["SUBS-004"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 sends the change notifications of a subscriptions/listen stream without _meta subscriptionId",
    },
    FaultInfo {
        fault: Fault::ListenIdsMixed,
        name: "listen-ids-mixed",
        breaks: &["SUBS-009", "SUBS-004"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 tags the change notifications of every open subscription with the id of the newest one",
    },
    FaultInfo {
        fault: Fault::CancelledWorkContinues,
        name: "cancelled-work-continues",
        breaks: &["HTTP-014", "HTTP-015", "STDIO-006"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 a cancelled slow call gets no response, but its work runs on to the end (ref://slow-calls counts it completed)",
    },
    FaultInfo {
        fault: Fault::ResponsesOnGetStream,
        name: "responses-on-get-stream",
        breaks: &["L-HTTP-005", "L-HTTP-006"],
        scope: Scope::StreamableHttp,
        description: "in a Streamable HTTP session, sends a copy of each response answered on a POST on the session's GET stream too",
    },
    FaultInfo {
        fault: Fault::NotificationsOnTwoStreams,
        name: "notifications-on-two-streams",
        breaks: &["L-HTTP-006"],
        scope: Scope::StreamableHttp,
        description: "in a Streamable HTTP session, sends each notification of a request on its POST stream and on the session's GET stream",
    },
    FaultInfo {
        fault: Fault::ListenTeardownWithoutResult,
        name: "listen-teardown-without-result",
        breaks: &["SUBS-005"],
        scope: Scope::Stdio,
        description: "in 2026-07-28, when stdin closes, ends listen streams with notifications/cancelled but without answering them (resultType \"complete\") first",
    },
    FaultInfo {
        fault: Fault::ListenSurvivesCancel,
        name: "listen-survives-cancel",
        breaks: &["SUBS-008"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 keeps delivering a subscription's notifications after its subscriptions/listen request was cancelled",
    },
    FaultInfo {
        fault: Fault::NoPrimingEvent,
        name: "no-priming-event",
        breaks: &["L-HTTP-002"],
        scope: Scope::StreamableHttp,
        description: "in 2025-11-25 sessions starts SSE streams with their first message instead of a priming event (an id and empty data)",
    },
    FaultInfo {
        fault: Fault::DroppedStreamCancels,
        name: "dropped-stream-cancels",
        breaks: &["L-HTTP-003"],
        scope: Scope::StreamableHttp,
        description: "in a Streamable HTTP session, stops a request answered on a live SSE stream (progress, slow, log, ask) when its connection drops",
    },
    FaultInfo {
        fault: Fault::ListenWithoutKeepAlive,
        name: "listen-without-keep-alive",
        breaks: &["HTTP-013"],
        scope: Scope::StreamableHttp,
        description: "in 2026-07-28 keeps subscriptions/listen streams silent while nothing happens: no `:` keep-alive comment, ever",
    },
    FaultInfo {
        fault: Fault::LegacySessionLeaks,
        name: "legacy-session-leaks",
        breaks: &["LIFECYCLE-018", "LIFECYCLE-010"],
        scope: Scope::AnyTransport,
        description: "once initialize opened a legacy session on the process (stdio) or connection (HTTP+SSE), or when a Streamable HTTP request names a legacy session in Mcp-Session-Id, serves requests carrying 2026-07-28 _meta inside that session, at its negotiated legacy version",
    },
    FaultInfo {
        fault: Fault::InputRequestKeysDuplicated,
        name: "input-request-keys-duplicated",
        breaks: &["S2C-003", "TOOLS-013"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 the ask tool's input_required result writes its first inputRequests entry twice under the same key (JSON parsers merge the two, the bytes show it)",
    },
    FaultInfo {
        fault: Fault::ResourceInputRequiredEmpty,
        name: "resource-input-required-empty",
        breaks: &["RESOURCES-017", "S2C-005"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 a read of ref://input-required/greeting is answered {\"resultType\": \"input_required\"} with neither inputRequests nor requestState",
    },
    FaultInfo {
        fault: Fault::PromptRetryNotAPrompt,
        name: "prompt-retry-not-a-prompt",
        breaks: &["PROMPTS-010"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 the retry that completes prompts/get of input_required_greeting is answered with a tool result (content) instead of the prompt's messages",
    },
    FaultInfo {
        fault: Fault::RequestStateUnbound,
        name: "request-state-unbound",
        breaks: &["S2C-008"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 a requestState is accepted on another request than the one it was issued for (another resource, prompt, tool or arguments)",
    },
    FaultInfo {
        fault: Fault::RequestStatePerProcess,
        name: "request-state-per-process",
        breaks: &["LIFECYCLE-012"],
        scope: Scope::Stdio,
        description: "in 2026-07-28 requestState is sealed with a key drawn per process, so a retry sent to another process of the server is refused",
    },
    FaultInfo {
        fault: Fault::ScopeFilteredListPublic,
        name: "scope-filtered-list-public",
        breaks: &["CACHE-006"],
        scope: Scope::StreamableHttp,
        description: "with --auth, in 2026-07-28 marks the tool list, which depends on the token's scopes, cacheScope \"public\" instead of \"private\"",
    },
    FaultInfo {
        fault: Fault::StatelessOnlyVersionHeaderOptional,
        name: "stateless-only-version-header-optional",
        breaks: &["HTTP-019"],
        scope: Scope::StreamableHttp,
        description: "poses as a 2026-07-28-only server (discover lists no other version, initialize is refused) and serves a 2026-07-28 request that has no MCP-Protocol-Version header instead of refusing it with 400 and -32020",
    },
    FaultInfo {
        fault: Fault::UrlElicitationDataMalformed,
        name: "url-elicitation-data-malformed",
        breaks: &["L-ELIC-001"],
        scope: Scope::AnyTransport,
        description: "in 2025-11-25 connect_external_account's -32042 error lists an elicitation without elicitationId and mode",
    },
    FaultInfo {
        fault: Fault::UrlElicitationCompleteWrongId,
        name: "url-elicitation-complete-wrong-id",
        breaks: &["L-ELIC-001"],
        scope: Scope::AnyTransport,
        description: "in 2025-11-25 connect_external_account sends notifications/elicitation/complete with an elicitationId its -32042 error never named",
    },
    FaultInfo {
        fault: Fault::SamplingToolResultIdMismatch,
        name: "sampling-tool-result-id-mismatch",
        breaks: &["S2C-016"],
        scope: Scope::AnyTransport,
        description: "in 2025-11-25 and 2026-07-28 weather_agent continues after a toolUse sampling result with tool_result blocks whose toolUseId is not the tool_use's id",
    },
    FaultInfo {
        fault: Fault::ToolsVaryByClient,
        name: "tools-vary-by-client",
        breaks: &["AUTH-018"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 leaves the last tool out of tools/list for clients whose _meta clientInfo name has an even number of characters",
    },
    FaultInfo {
        fault: Fault::ToolListChangeUnannounced,
        name: "tool-list-change-unannounced",
        breaks: &["TOOLS-014"],
        scope: Scope::AnyTransport,
        description: "toggle adds or removes the tool toggled without notifications/tools/list_changed, although tools.listChanged is declared",
    },
    FaultInfo {
        fault: Fault::UnknownToolAsToolError,
        name: "unknown-tool-as-tool-error",
        breaks: &["TOOLS-012"],
        scope: Scope::AnyTransport,
        description: "in 2026-07-28 answers tools/call naming an unknown tool with a result marked isError: true instead of a JSON-RPC error",
    },
];

const UNLISTED: FaultInfo = FaultInfo {
    fault: Fault::InitializeWrongVersion,
    name: "unlisted",
    breaks: &[],
    scope: Scope::AnyTransport,
    description: "a fault missing from the catalogue",
};

impl Fault {
    /// This fault's row of [`CATALOGUE`].
    pub fn info(self) -> &'static FaultInfo {
        // Every variant has a row (the `catalogue_is_complete` test checks
        // it), so the fallback is unreachable in practice.
        CATALOGUE.iter().find(|i| i.fault == self).unwrap_or(&UNLISTED)
    }

    /// The `--fault` name.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Looks a fault up by its `--fault` name.
    pub fn from_name(name: &str) -> Option<Fault> {
        CATALOGUE.iter().find(|i| i.name == name).map(|i| i.fault)
    }

    /// The word of [`FaultSet`] that holds this fault, and its bit there.
    fn position(self) -> (usize, u64) {
        let index = self as usize;
        (index / 64, 1 << (index % 64))
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of active faults (empty for the conformant server): a bit set of
/// [`FaultSet::CAPACITY`] faults, `Copy` so every handler can hold one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultSet([u64; 4]);

impl FaultSet {
    /// No fault: the conformant baseline.
    pub const NONE: FaultSet = FaultSet([0; 4]);

    /// How many faults the set can hold.
    pub const CAPACITY: usize = 4 * 64;
}

// Every fault is in the catalogue (a test checks), so this bounds every fault's position.
const _: () = assert!(CATALOGUE.len() <= FaultSet::CAPACITY, "FaultSet is too small for the catalogue");

impl FaultSet {
    /// Adds a fault.
    pub fn insert(&mut self, fault: Fault) {
        let (word, bit) = fault.position();
        if let Some(bits) = self.0.get_mut(word) {
            *bits |= bit;
        }
    }

    /// A set holding just `fault`.
    pub fn only(fault: Fault) -> FaultSet {
        let mut set = FaultSet::NONE;
        set.insert(fault);
        set
    }

    /// Whether `fault` is active.
    pub fn contains(self, fault: Fault) -> bool {
        let (word, bit) = fault.position();
        self.0.get(word).is_some_and(|bits| bits & bit != 0)
    }

    /// The active faults, in catalogue order.
    pub fn iter(self) -> impl Iterator<Item = Fault> {
        CATALOGUE.iter().map(|i| i.fault).filter(move |f| self.contains(*f))
    }

    /// True when no fault is active.
    pub fn is_empty(self) -> bool {
        self == FaultSet::NONE
    }
}

impl FromIterator<Fault> for FaultSet {
    fn from_iter<I: IntoIterator<Item = Fault>>(iter: I) -> FaultSet {
        let mut set = FaultSet::NONE;
        for f in iter {
            set.insert(f);
        }
        set
    }
}

/// The `--list-faults` text: one line per fault, tab-separated
/// `name`, `requirement IDs` (comma-separated), `scope`, `description`.
pub fn listing() -> String {
    let mut out = String::new();
    for info in CATALOGUE {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            info.name,
            info.breaks.join(","),
            info.scope.label(),
            info.description
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn catalogue_is_complete_and_unique() {
        let all = [
            Fault::InitializeWrongVersion,
            Fault::InitializeEchoUnsupported,
            Fault::UnsupportedVersionWrongCode,
            Fault::UnsupportedVersionNoSupportedList,
            Fault::DiscoverMissing,
            Fault::DiscoverInvalidResult,
            Fault::PingNoResponse,
            Fault::PingError,
            Fault::UnknownMethodWrongCode,
            Fault::ToolInputSchemaInvalid,
            Fault::ToolsListInvalid,
            Fault::StructuredContentMismatch,
            Fault::CallResultInvalid,
            Fault::StdoutGarbage,
            Fault::SessionIdIgnoredAfterDelete,
            Fault::NoOriginCheck,
            Fault::HeaderMismatchIgnored,
            Fault::AuthWrongAudienceAccepted,
            Fault::AuthNoWwwAuthenticate,
            Fault::AuthExpiredAccepted,
            Fault::S2cWithoutCapability,
            Fault::S2cRequestInStateless,
            Fault::InputRequiredIgnoresResponses,
            Fault::ResourceNotFoundWrongCode,
            Fault::ResourceNotFoundEmptyContents,
            Fault::ReadBlobNotBase64,
            Fault::TemplateInvalid,
            Fault::PromptMissingArgumentAccepted,
            Fault::CompletionTooManyValues,
            Fault::CompletionWithoutCapability,
            Fault::LogWithoutLevel,
            Fault::LogBelowLevel,
            Fault::LogWithoutCapability,
            Fault::LogLevelUnknownAccepted,
            Fault::ProgressNotIncreasing,
            Fault::ProgressAfterResponse,
            Fault::ProgressWithoutToken,
            Fault::ResponseAfterCancel,
            Fault::CursorInvalidAccepted,
            Fault::NextCursorOnLastPage,
            Fault::UpdatesAfterUnsubscribe,
            Fault::ListenNoAcknowledgement,
            Fault::ListenUnrequestedNotification,
            Fault::ListenTeardownWithoutCancelled,
            Fault::ListChangedWithoutCapability,
            Fault::MissingCacheFields,
            Fault::SessionIdPredictable,
            Fault::ProtocolVersionHeaderIgnored,
            Fault::NotificationAnswered200,
            Fault::AnswerWrongContentType,
            Fault::GetStreamWrongStatus,
            Fault::MissingSessionId404,
            Fault::AuthMetadataNoAuthorizationServers,
            Fault::ToolArgumentsUnchecked,
            Fault::ArgumentErrorsAsProtocolErrors,
            Fault::CompletionUnknownRefAccepted,
            Fault::ResourceUriInvalid,
            Fault::TasksCapabilityMissing,
            Fault::TaskRequiredRunPlainly,
            Fault::TaskForbiddenAccepted,
            Fault::TaskIdsReused,
            Fault::TaskStatusReverts,
            Fault::TaskNotCreated,
            Fault::TaskMissingTimestamps,
            Fault::TaskResultNotBlocking,
            Fault::TaskResultWithoutRelatedTask,
            Fault::TaskCancelTerminalAccepted,
            Fault::TaskCancelNotFinal,
            Fault::TaskListInvalidCursorAccepted,
            Fault::ParseErrorWrongCode,
            Fault::InvalidRequestWrongCode,
            Fault::InvalidParamsWrongCode,
            Fault::NotificationAnswered,
            Fault::ResponseIdTypeChanged,
            Fault::ResponseDuplicated,
            Fault::BatchNotSupported,
            Fault::BatchAccepted,
            Fault::StdinCloseIgnored,
            Fault::ErrorMissingMessage,
            Fault::UnknownMethodStatus200,
            Fault::EventIdsPerStream,
            Fault::ReplayForeignStream,
            Fault::OriginCheckedOnPostOnly,
            Fault::RefusedNotificationAnswered200,
            Fault::HeaderMismatchStatus200,
            Fault::AuthMetadataNoResource,
            Fault::AuthMetadataUndiscoverable,
            Fault::AuthMissingToken403,
            Fault::AuthServerMetadataMissing,
            Fault::VersionHeaderMismatchIgnored,
            Fault::NameHeaderMismatchIgnored,
            Fault::MethodHeaderCaseInsensitive,
            Fault::SessionIdInStateless,
            Fault::AuthChallengeWithoutScope,
            Fault::AuthOfflineAccessRequested,
            Fault::AuthAnyTokenAccepted,
            Fault::NoHostCheck,
            Fault::SseWithoutAccelBuffering,
            Fault::EncodedNameHeaderNotDecoded,
            Fault::DiscoverNoServerInfo,
            Fault::InitializeNoServerInfo,
            Fault::ErrorIdDropped,
            Fault::UndefinedMcpErrorCode,
            Fault::LegacyErrorCode,
            Fault::ReservedErrorCode,
            Fault::ClientCapabilitiesNotRequired,
            Fault::MetaKeyInvalid,
            Fault::ExtensionUnprefixed,
            Fault::ToolsCapabilityUndeclared,
            Fault::ResultWithoutServerInfo,
            Fault::ResultTypeMissing,
            Fault::ResultTypeUnknown,
            Fault::InputRequiredEmpty,
            Fault::InputRequestsWithId,
            Fault::InputRequiredCacheHints,
            Fault::MissingAnswersRefused,
            Fault::SamplingToolsUndeclared,
            Fault::ElicitationUrlUndeclared,
            Fault::CacheTtlNegative,
            Fault::CacheScopeInvalid,
            Fault::CacheScopePerPage,
            Fault::ElicitationNestedForm,
            Fault::SamplingToolResultsMixed,
            Fault::SamplingContextUndeclared,
            Fault::ListenAcknowledgementWidened,
            Fault::MalformedInputResponsesAccepted,
            Fault::ExtraInputResponsesRefused,
            Fault::TaskResultWithoutExtension,
            Fault::TracedResponseJsonrpcVersion,
            Fault::TracedResultNotObject,
            Fault::TracedNotificationWithId,
            Fault::TracedResponseMultiline,
            Fault::TracedResponseNotUtf8,
            Fault::CancelStalls,
            Fault::CancelUnknownAnswered,
            Fault::CursorInvalidInternalError,
            Fault::TraceparentMalformed,
            Fault::ServerCancelsTracedRequest,
            Fault::TracedStrayNotification,
            Fault::ServerRequestIdsReused,
            Fault::TracedErrorVerbose,
            Fault::CapabilitiesCarriedOver,
            Fault::MissingCapabilityAsToolError,
            Fault::ListsChangeAfterCalls,
            Fault::ToolsOrderVaries,
            Fault::InitializeRefusedWithoutVersions,
            Fault::UndeclaredCapabilitiesAssumed,
            Fault::RequestStateLatestOnly,
            Fault::ParamHeaderMismatchIgnored,
            Fault::ParamHeaderDemandedWhenAbsent,
            Fault::ParamHeaderRawBytesAccepted,
            Fault::ParamHeaderIntegerAsText,
            Fault::ParamHeaderAnnotationInvalid,
            Fault::LastEventIdRefusedInStateless,
            Fault::StatelessOnlyGetNot405,
            Fault::ListensBeyondLoopback,
            Fault::NotificationsNotAtEndpoint,
            Fault::ToolsCapabilityOmitted,
            Fault::ToolsListRefused,
            Fault::ToolNameWithSpaces,
            Fault::ToolAnnotationMistyped,
            Fault::StructuredContentWithoutText,
            Fault::ImageContentNotBase64,
            Fault::ResourcesCapabilityOmitted,
            Fault::StructuredContentWrapped,
            Fault::ProgressMessageUnreadable,
            Fault::CompletionUnranked,
            Fault::StaleHandleAccepted,
            Fault::ResourcesCapabilityUndeclared,
            Fault::PromptsCapabilityUndeclared,
            Fault::ResourceListChangeUnannounced,
            Fault::PromptListChangeUnannounced,
            Fault::ListenResourceUpdatesDropped,
            Fault::ResourceUriUnvalidated,
            Fault::ResourceAnnotationsInvalid,
            Fault::PromptImageInvalid,
            Fault::PromptEmbeddedResourceInvalid,
            Fault::ResourceInternalErrorWrongCode,
            Fault::RequestStateUnverified,
            Fault::ElicitationIdInStateless,
            Fault::ElicitationContentUnvalidated,
            Fault::ElicitationRefusalUnhandled,
            Fault::RequestsBeforeInitialized,
            Fault::AuthInsufficientScope401,
            Fault::AuthAudienceCaseSensitive,
            Fault::InputRequiredOutsideMrtr,
            Fault::RootsWithoutCapability,
            Fault::ElicitationFormLink,
            Fault::RequestsDroppedUnderLoad,
            Fault::OversizedWedges,
            Fault::RequestNotificationsOnListenStreams,
            Fault::LogsOnAnotherRequestStream,
            Fault::RequestStreamLeftOpen,
            Fault::ListenNotificationsUntagged,
            Fault::ListenIdsMixed,
            Fault::CancelledWorkContinues,
            Fault::ResponsesOnGetStream,
            Fault::NotificationsOnTwoStreams,
            Fault::ListenTeardownWithoutResult,
            Fault::ListenSurvivesCancel,
            Fault::NoPrimingEvent,
            Fault::DroppedStreamCancels,
            Fault::ListenWithoutKeepAlive,
            Fault::LegacySessionLeaks,
            Fault::InputRequestKeysDuplicated,
            Fault::ResourceInputRequiredEmpty,
            Fault::PromptRetryNotAPrompt,
            Fault::RequestStateUnbound,
            Fault::RequestStatePerProcess,
            Fault::ScopeFilteredListPublic,
            Fault::StatelessOnlyVersionHeaderOptional,
            Fault::UrlElicitationDataMalformed,
            Fault::UrlElicitationCompleteWrongId,
            Fault::SamplingToolResultIdMismatch,
            Fault::ToolsVaryByClient,
            Fault::ToolListChangeUnannounced,
            Fault::UnknownToolAsToolError,
        ];
        assert_eq!(all.len(), CATALOGUE.len());
        for f in all {
            assert_eq!(f.info().fault, f);
            assert_eq!(Fault::from_name(f.name()), Some(f));
        }
        let names: HashSet<_> = CATALOGUE.iter().map(|i| i.name).collect();
        assert_eq!(names.len(), CATALOGUE.len());
        assert!(CATALOGUE.len() <= FaultSet::CAPACITY, "FaultSet has room for {} faults", FaultSet::CAPACITY);
    }

    #[test]
    fn set_operations() {
        let mut s = FaultSet::NONE;
        assert!(s.is_empty());
        s.insert(Fault::PingError);
        assert!(s.contains(Fault::PingError));
        assert!(!s.contains(Fault::PingNoResponse));
        assert_eq!(s.iter().collect::<Vec<_>>(), [Fault::PingError]);
    }

    #[test]
    fn readme_lists_every_fault() {
        let readme = include_str!("../README.md");
        for info in CATALOGUE {
            assert!(readme.contains(&format!("`{}`", info.name)), "README.md lacks {}", info.name);
        }
    }

    #[test]
    fn listing_has_one_line_per_fault_with_four_columns() {
        let text = listing();
        assert_eq!(text.lines().count(), CATALOGUE.len());
        for line in text.lines() {
            assert_eq!(line.split('\t').count(), 4, "{line}");
        }
    }
}
