//! The HTTP+SSE transport of 2024-11-05.
//!
//! The client GETs an event stream; its first `endpoint` event names the URL
//! to POST messages to. Every answer arrives on that one stream.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::streamable_http::{client_for, describe, head_of, lock, root_cause};
use super::{
    event_queue, read_bounded, Event, EventSender, EventStreamParser, Events, Limits, Outgoing, SendReport, SseEvent,
    TransportError,
};

/// A connection to an HTTP+SSE server.
pub struct SseTransport {
    client: reqwest::Client,
    stream_url: reqwest::Url,
    endpoint: reqwest::Url,
    headers: HeaderMap,
    events: EventSender,
    stream: Mutex<Option<JoinHandle<()>>>,
}

impl SseTransport {
    /// Open the stream and wait for the `endpoint` event.
    pub async fn connect(
        url: &str,
        headers: &[(String, String)],
        limits: &Limits,
    ) -> Result<(SseTransport, Events), TransportError> {
        let unreachable = |detail: String| TransportError::Unreachable { url: url.to_string(), detail };
        let (client, base, headers) = client_for(url, headers, limits)?;
        let response = tokio::time::timeout(
            limits.connect_timeout,
            client.get(base.clone()).headers(headers.clone()).header(ACCEPT, "text/event-stream").send(),
        )
        .await
        .map_err(|_| unreachable(format!("no response within {:?}", limits.connect_timeout)))?
        .map_err(|e| unreachable(root_cause(&e)))?;
        let head = head_of("GET", &response);
        if head.status != 200 {
            return Err(unreachable(format!("GET answered {}", describe(&head))));
        }
        let (tx, rx) = event_queue();
        let (endpoint_tx, endpoint_rx) = oneshot::channel();
        let channel: Arc<str> = Arc::from("SSE stream");
        tx.ours(Event::Note { channel: channel.clone(), text: format!("GET {base}: {}", describe(&head)) });
        let stream = tokio::spawn(read_stream(response, channel, limits.max_message_bytes, tx.clone(), endpoint_tx));
        let endpoint = match tokio::time::timeout(limits.connect_timeout, endpoint_rx).await {
            Ok(Ok(endpoint)) => endpoint,
            Ok(Err(_)) => {
                return Err(TransportError::NoEndpoint("the stream ended before an `endpoint` event".into()))
            }
            Err(_) => {
                stream.abort();
                return Err(TransportError::NoEndpoint(format!("none within {:?}", limits.connect_timeout)));
            }
        };
        let endpoint = base
            .join(endpoint.trim())
            .map_err(|e| TransportError::NoEndpoint(format!("`{endpoint}` is not a URL: {e}")))?;
        let transport = SseTransport {
            client,
            stream_url: base,
            endpoint,
            headers,
            events: tx,
            stream: Mutex::new(Some(stream)),
        };
        Ok((transport, rx))
    }

    /// The URL of the SSE stream (the one the user named).
    pub fn stream_url(&self) -> &reqwest::Url {
        &self.stream_url
    }

    /// The user's extra headers, sent on every request.
    pub fn extra_headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// POST one message to the endpoint; the answer will come on the stream.
    pub async fn send(&self, outgoing: Outgoing) -> Result<SendReport, TransportError> {
        let mut headers = self.headers.clone();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let response = self
            .client
            .post(self.endpoint.clone())
            .headers(headers)
            .body(outgoing.bytes)
            .send()
            .await
            .map_err(|e| TransportError::Http(root_cause(&e)))?;
        let head = head_of("POST", &response);
        // The answer comes on the stream; a body here is only an acknowledgement.
        let body = read_bounded(response, 4096).await.unwrap_or_default();
        let mut text = describe(&head);
        if !body.is_empty() {
            text.push_str(&format!(": {}", String::from_utf8_lossy(&body)));
        }
        self.events.ours(Event::Note { channel: Arc::from("POST"), text });
        Ok(SendReport { http: Some(head) })
    }

    /// Stop reading the stream (the server sees the connection close).
    pub async fn close(&self) -> String {
        if let Some(stream) = lock(&self.stream).take() {
            stream.abort();
        }
        "closed the SSE stream".into()
    }
}

async fn read_stream(
    response: reqwest::Response,
    channel: Arc<str>,
    max: usize,
    tx: EventSender,
    endpoint: oneshot::Sender<String>,
) {
    let mut endpoint = Some(endpoint);
    let mut parser = EventStreamParser::new(max);
    let mut body = response.bytes_stream();
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else { break };
        for event in parser.feed(&chunk) {
            let event = match event {
                SseEvent::Message { event, data, .. } if event == "endpoint" => match endpoint.take() {
                    Some(slot) => {
                        let _ = slot.send(data.clone());
                        Event::Note { channel: channel.clone(), text: format!("endpoint: {data}") }
                    }
                    None => Event::Note { channel: channel.clone(), text: format!("a second `endpoint` event: {data}") },
                },
                SseEvent::Message { data, .. } if data.is_empty() => continue,
                SseEvent::Message { event, data, .. } if event == "message" => {
                    Event::Frame { channel: channel.clone(), origin: None, bytes: Bytes::from(data) }
                }
                SseEvent::Message { event, data, .. } => {
                    Event::Note { channel: channel.clone(), text: format!("SSE event `{event}`: {data}") }
                }
                SseEvent::Oversized(size) => Event::Oversized { channel: channel.clone(), origin: None, size, limit: max },
                SseEvent::Comment(_) | SseEvent::Retry(_) => continue,
            };
            if !tx.server_sent(event).await {
                return;
            }
        }
    }
    tx.ours(Event::Closed { detail: "the SSE stream ended".into() });
}
