//! Watch answers: chunked newline-delimited JSON `{"type":..,"object":..}` events. A watcher
//! that fell behind gets an ERROR event carrying a 410 Expired Status; the stream ends at
//! `timeoutSeconds`. In Table mode each object becomes a one-row Table, columns on the first.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::store::types::{ResourceType, StoreError, WatchEvent, WatchEventType};

use super::negotiate::Representation;
use super::status::ApiError;
use super::table::{IncludeObject, TableLayout, partial_metadata};

/// How each event's object is rendered.
pub struct EventRenderer {
    representation: Representation,
    layout: Option<TableLayout>,
    include: IncludeObject,
    sent_columns: bool,
}

impl EventRenderer {
    pub fn new(
        rt: &ResourceType,
        representation: Representation,
        include: IncludeObject,
    ) -> EventRenderer {
        let layout =
            matches!(representation, Representation::Table(_)).then(|| TableLayout::for_type(rt));
        EventRenderer {
            representation,
            layout,
            include,
            sent_columns: false,
        }
    }

    pub fn line(&mut self, event: &WatchEvent) -> Bytes {
        let object = match (&self.representation, &self.layout, event.type_) {
            // Bookmarks carry only a resourceVersion; they are passed through as they are.
            (_, _, WatchEventType::Bookmark) => event.object.clone(),
            (Representation::Table(version), Some(layout), _) => {
                let with_columns = !self.sent_columns;
                self.sent_columns = true;
                let meta = json!({"resourceVersion": event.object.pointer("/metadata/resourceVersion").cloned().unwrap_or(Value::Null)});
                layout.table(
                    version,
                    std::slice::from_ref(&event.object),
                    meta,
                    self.include,
                    with_columns,
                )
            }
            (Representation::Metadata, _, _) => partial_metadata(&event.object),
            _ => event.object.clone(),
        };
        encode(event.type_.as_str(), &object)
    }
}

fn encode(type_: &str, object: &Value) -> Bytes {
    let mut line = json!({"type": type_, "object": object}).to_string();
    line.push('\n');
    Bytes::from(line)
}

fn error_line(err: &StoreError, group: &str) -> Bytes {
    encode("ERROR", &ApiError::from_store(err, group).to_status())
}

/// Streams `events` until they end, fail (one ERROR event, then the end), or `timeout` passes.
pub fn response<S>(
    events: S,
    mut renderer: EventRenderer,
    group: String,
    timeout: Option<Duration>,
) -> Response
where
    S: futures::Stream<Item = Result<WatchEvent, StoreError>> + Send + Unpin + 'static,
{
    let lines = futures::stream::unfold(Some(events), move |state| {
        let group = group.clone();
        async move {
            let mut events = state?;
            match events.next().await? {
                Ok(event) => Some((Ok(event), Some(events))),
                Err(err) => Some((Err(error_line(&err, &group)), None)),
            }
        }
    })
    .map(move |item| {
        Ok::<Bytes, Infallible>(item.map_or_else(|line| line, |event| renderer.line(&event)))
    });
    let body = match timeout {
        Some(limit) => Body::from_stream(lines.take_until(tokio::time::sleep(limit))),
        None => Body::from_stream(lines),
    };
    streaming(body)
}

/// A watch that cannot start because the requested version is gone answers 200 with one ERROR
/// event, which is what kube-apiserver does and what kube's watcher and kubectl expect.
pub fn expired(err: &StoreError, group: &str) -> Response {
    let line = error_line(err, group);
    streaming(Body::from_stream(futures::stream::once(async move {
        Ok::<Bytes, Infallible>(line)
    })))
}

fn streaming(body: Body) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::http::discovery::tests::rt;
    use http_body_util::BodyExt;

    fn event(type_: WatchEventType, name: &str, rv: &str) -> WatchEvent {
        WatchEvent {
            type_,
            object: json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": name, "resourceVersion": rv}}),
        }
    }

    async fn lines(response: Response) -> Vec<Value> {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[tokio::test]
    async fn events_then_expired_error() {
        let cm = rt("", "v1", "ConfigMap", "configmaps", true);
        let events = futures::stream::iter(vec![
            Ok(event(WatchEventType::Added, "a", "1")),
            Ok(event(WatchEventType::Modified, "a", "2")),
            Err(StoreError::Gone {
                requested: "1".into(),
                oldest: "5".into(),
            }),
            Ok(event(WatchEventType::Deleted, "a", "9")),
        ]);
        let renderer = EventRenderer::new(&cm, Representation::Object, IncludeObject::Metadata);
        let got = lines(response(events, renderer, String::new(), None)).await;
        assert_eq!(got.len(), 3, "the stream ends after the error: {got:?}");
        assert_eq!(got[0]["type"], "ADDED");
        assert_eq!(got[1]["object"]["metadata"]["resourceVersion"], "2");
        assert_eq!(got[2]["type"], "ERROR");
        assert_eq!(got[2]["object"]["code"], 410);
        assert_eq!(got[2]["object"]["reason"], "Expired");
    }

    #[tokio::test]
    async fn table_events_carry_columns_once() {
        let cm = rt("", "v1", "ConfigMap", "configmaps", true);
        let events = futures::stream::iter(vec![
            Ok(event(WatchEventType::Added, "a", "1")),
            Ok(event(WatchEventType::Modified, "a", "2")),
        ]);
        let renderer =
            EventRenderer::new(&cm, Representation::Table("v1"), IncludeObject::Metadata);
        let got = lines(response(events, renderer, String::new(), None)).await;
        assert_eq!(got[0]["object"]["kind"], "Table");
        assert!(
            !got[0]["object"]["columnDefinitions"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert!(
            got[1]["object"]["columnDefinitions"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(got[1]["object"]["rows"][0]["cells"][0], "a");
    }

    #[tokio::test]
    async fn stream_ends_at_timeout() {
        let cm = rt("", "v1", "ConfigMap", "configmaps", true);
        let events = futures::stream::iter(vec![Ok(event(WatchEventType::Added, "a", "1"))])
            .chain(futures::stream::pending());
        let renderer = EventRenderer::new(&cm, Representation::Object, IncludeObject::Metadata);
        let got = lines(response(
            events,
            renderer,
            String::new(),
            Some(Duration::from_millis(200)),
        ))
        .await;
        assert_eq!(got.len(), 1);
    }
}
