//! Resources, prompts, completion, pagination, caching and capabilities,
//! over every transport and in every version that has them.

use std::collections::BTreeSet;

use base64::Engine;
use serde_json::{json, Value};

use crate::support::conn::*;
use crate::support::*;

fn not_found_code(version: &str) -> i64 {
    if version == MODERN {
        -32602
    } else {
        -32002
    }
}

/// Each page of a 2026-07-28 list carries the caching hints; no earlier one does.
fn check_cache_hints(version: &str, pages: &[Value], what: &str) {
    for page in pages {
        if version == MODERN {
            assert!(page["ttlMs"].as_u64().is_some(), "{what}: ttlMs on every page");
            assert_eq!(page["cacheScope"], "public", "{what}: the same cacheScope on every page (CACHE-005)");
            assert_eq!(page["resultType"], "complete");
        } else {
            assert!(page.get("ttlMs").is_none() && page.get("cacheScope").is_none(), "{what} in {version}");
        }
    }
}

#[tokio::test]
async fn capabilities_say_exactly_what_is_implemented() {
    for (transport, version) in everywhere() {
        let mut c = Conn::open(transport, version, &[]).await;
        let caps = if c.is_modern() {
            c.call("server/discover", json!({})).await.result()["capabilities"].clone()
        } else {
            c.init["capabilities"].clone()
        };
        assert_eq!(caps, capabilities(version), "{transport:?} {version}");
    }
}

#[tokio::test]
async fn tools_are_paginated() {
    for (transport, version) in everywhere() {
        let mut c = Conn::open(transport, version, &[]).await;
        let (tools, pages) = list_all(&mut c, "tools/list", "tools").await;
        let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
        // The official suite's fixtures are tested in `conformance_fixtures`.
        let official = |n: &&str| n.starts_with("test_") || *n == "json_schema_2020_12_tool";
        let own: Vec<&str> = names.iter().copied().filter(|n| !official(n)).collect();
        let mut expected = vec!["echo", "add", "fail", "ask", "progress", "slow", "log", "touch", "toggle", "mirrored_params"];
        if version == "2025-11-25" {
            expected.push("job"); // the tool that runs only as a task
            expected.push("connect_external_account"); // URL elicitation via -32042 (L-ELIC-001)
            expected.push("weather_agent"); // tools in sampling, over server requests (S2C-016)
        }
        if version == "2026-07-28" {
            expected.extend(["primes", "tally", "weather_agent"]);
        }
        assert_eq!(own, expected, "{transport:?} {version}");
        assert_eq!(pages.len(), names.len().div_ceil(5), "{transport:?} {version}");
        check_cache_hints(version, &pages, "tools/list");
        let writes: Vec<&str> = tools
            .iter()
            .filter(|t| t.pointer("/annotations/readOnlyHint") == Some(&json!(false)))
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        let expected: &[&str] = match version {
            "2024-11-05" => &[],
            "2026-07-28" => &["touch", "toggle", "tally"],
            _ => &["touch", "toggle"],
        };
        assert_eq!(writes, expected, "{transport:?} {version}");
        let bad = c.call("tools/list", json!({"cursor": "not-a-cursor"})).await;
        assert_eq!(error_code(&bad.response), -32602, "UTIL-014");
    }
}

#[tokio::test]
async fn resources_list_read_and_templates() {
    for (transport, version) in everywhere() {
        let mut c = Conn::open(transport, version, &[]).await;
        let what = format!("{transport:?} {version}");
        let (resources, pages) = list_all(&mut c, "resources/list", "resources").await;
        assert_eq!(resources.len(), 130, "{what}");
        assert_eq!(pages.len(), 7, "{what}");
        check_cache_hints(version, &pages, "resources/list");
        let uris: BTreeSet<&str> = resources.iter().map(|r| r["uri"].as_str().unwrap()).collect();
        assert_eq!(uris.len(), resources.len(), "no duplicates across pages");
        assert!(uris.contains("ref://items/120") && uris.contains("ref://logo"));
        for r in &resources {
            assert!(r["name"].is_string() && r["mimeType"].is_string());
            assert_eq!(r.get("title").is_some(), version >= "2025-06-18", "{what}");
        }

        let (templates, pages) = list_all(&mut c, "resources/templates/list", "resourceTemplates").await;
        let listed: Vec<&str> = templates.iter().map(|t| t["uriTemplate"].as_str().unwrap()).collect();
        assert_eq!(listed, ["ref://items/{id}", "ref://bytes/{size}", "ref://greetings/{name}", "test://template/{id}/data"]);
        assert_eq!(pages.len(), 2);
        check_cache_hints(version, &pages, "resources/templates/list");

        let text = c.call("resources/read", json!({"uri": "ref://items/7"})).await;
        assert_eq!(text.result()["contents"], json!([{"uri": "ref://items/7", "mimeType": "text/plain", "text": "Item 7"}]), "{what}");
        if c.is_modern() {
            assert_eq!(text.result()["ttlMs"], 300_000);
            assert_eq!(text.result()["cacheScope"], "public");
        }
        let logo = c.call("resources/read", json!({"uri": "ref://logo"})).await;
        let item = &logo.result()["contents"][0];
        assert_eq!(item["mimeType"], "image/png");
        assert!(item.get("text").is_none());
        let bytes = base64::engine::general_purpose::STANDARD.decode(item["blob"].as_str().unwrap()).expect("Base64 blob");
        assert!(bytes.starts_with(b"\x89PNG"));
        let blob = c.call("resources/read", json!({"uri": "ref://bytes/3"})).await;
        assert_eq!(blob.result()["contents"][0]["blob"], "AAEC");
        let greeting = c.call("resources/read", json!({"uri": "ref://greetings/Grace%20Hopper"})).await;
        assert_eq!(greeting.result()["contents"][0]["text"], "Hello, Grace Hopper!");

        for missing in ["ref://items/121", "ref://nothing", "file:///etc/passwd"] {
            let r = c.call("resources/read", json!({"uri": missing})).await;
            assert_eq!(error_code(&r.response), not_found_code(version), "{what} {missing}");
            assert_eq!(r.response["error"]["data"]["uri"], missing);
        }
        let r = c.call("resources/read", json!({})).await;
        assert_eq!(error_code(&r.response), -32602, "no uri");
        let r = c.call("resources/list", json!({"cursor": ""})).await;
        assert_eq!(error_code(&r.response), -32602, "the empty cursor was never issued");
    }
}

#[tokio::test]
async fn prompts_list_and_get() {
    for (transport, version) in everywhere() {
        let mut c = Conn::open(transport, version, &[]).await;
        let what = format!("{transport:?} {version}");
        let (prompts, pages) = list_all(&mut c, "prompts/list", "prompts").await;
        let names: Vec<&str> = prompts.iter().map(|p| p["name"].as_str().unwrap()).collect();
        let own = ["greeting", "summarize-item", "simple"];
        let official = ["test_simple_prompt", "test_prompt_with_arguments", "test_prompt_with_embedded_resource", "test_prompt_with_image"];
        let asking = ["input_required_greeting"];
        assert_eq!(names, [own.as_slice(), official.as_slice(), asking.as_slice()].concat(), "{what}");
        assert_eq!(pages.len(), 4);
        check_cache_hints(version, &pages, "prompts/list");
        assert_eq!(prompts[0]["arguments"], {
            let mut args = json!([
                {"name": "name", "description": "Who to greet", "required": true},
                {"name": "style", "description": "casual (default), formal, friendly, pirate, poetic or shakespearean", "required": false}
            ]);
            if version >= "2025-06-18" {
                args[0]["title"] = json!("Name");
                args[1]["title"] = json!("Style");
            }
            args
        });

        let r = c.call("prompts/get", json!({"name": "greeting", "arguments": {"name": "Ada"}})).await;
        assert_eq!(r.result()["messages"], json!([{"role": "user", "content": {"type": "text", "text": "Please write a casual greeting for Ada."}}]));
        assert!(r.result().get("ttlMs").is_none(), "prompts/get is not cacheable");
        if c.is_modern() {
            assert_eq!(r.result()["resultType"], "complete");
        }
        let r = c.call("prompts/get", json!({"name": "greeting", "arguments": {"name": "Ada", "style": "formal"}})).await;
        assert_eq!(r.result()["messages"][0]["content"]["text"], "Please write a formal greeting for Ada.");
        let r = c.call("prompts/get", json!({"name": "summarize-item", "arguments": {"id": "9"}})).await;
        assert_eq!(
            r.result()["messages"][1],
            json!({"role": "user", "content": {"type": "resource", "resource": {"uri": "ref://items/9", "mimeType": "text/plain", "text": "Item 9"}}})
        );
        for bad in [
            json!({"name": "greeting"}),
            json!({"name": "greeting", "arguments": {"style": "formal"}}),
            json!({"name": "nope"}),
            json!({"name": "summarize-item", "arguments": {"id": "121"}}),
        ] {
            let r = c.call("prompts/get", bad.clone()).await;
            assert_eq!(error_code(&r.response), -32602, "{what} {bad}");
        }
    }
}

#[tokio::test]
async fn completion_of_prompt_arguments_and_template_variables() {
    for (transport, version) in everywhere() {
        let mut c = Conn::open(transport, version, &[]).await;
        let what = format!("{transport:?} {version}");
        let r = c
            .call("completion/complete", json!({"ref": {"type": "ref/resource", "uri": "ref://items/{id}"}, "argument": {"name": "id", "value": ""}}))
            .await;
        let completion = &r.result()["completion"];
        assert_eq!(completion["values"].as_array().unwrap().len(), 100, "{what}");
        assert_eq!((completion["total"].clone(), completion["hasMore"].clone()), (json!(120), json!(true)));
        assert_eq!(completion["values"][0], "1");
        let r = c
            .call("completion/complete", json!({"ref": {"type": "ref/prompt", "name": "greeting"}, "argument": {"name": "style", "value": "p"}}))
            .await;
        assert_eq!(r.result()["completion"], json!({"values": ["pirate", "poetic"], "total": 2, "hasMore": false}), "{what}");
        assert!(r.result().get("ttlMs").is_none());
        let r = c
            .call("completion/complete", json!({"ref": {"type": "ref/prompt", "name": "nope"}, "argument": {"name": "x", "value": ""}}))
            .await;
        assert_eq!(error_code(&r.response), -32602);
    }
}

#[tokio::test]
async fn cacheable_results_carry_hints_and_the_rest_none() {
    for transport in [Transport::Stdio, Transport::Http, Transport::Sse] {
        let mut c = Conn::open_with(transport, MODERN, &[], json!({"roots": {}})).await;
        for (method, params) in [
            ("server/discover", json!({})),
            ("tools/list", json!({})),
            ("prompts/list", json!({})),
            ("resources/list", json!({})),
            ("resources/templates/list", json!({})),
            ("resources/read", json!({"uri": "ref://readme"})),
            ("resources/read", json!({"uri": "ref://counter"})),
        ] {
            let r = c.call(method, params).await;
            let ttl = r.result()["ttlMs"].as_u64();
            assert!(ttl.is_some(), "{transport:?} {method}: {}", r.response);
            assert_eq!(r.result()["cacheScope"], "public");
        }
        for (method, params) in [
            ("prompts/get", json!({"name": "simple"})),
            ("completion/complete", json!({"ref": {"type": "ref/prompt", "name": "greeting"}, "argument": {"name": "style", "value": ""}})),
            ("tools/call", json!({"name": "echo", "arguments": {"message": "x"}})),
            // input_required results carry none (CACHE-004).
            ("tools/call", json!({"name": "ask", "arguments": {}})),
        ] {
            let r = c.call(method, params).await;
            assert!(r.result().get("ttlMs").is_none() && r.result().get("cacheScope").is_none(), "{method}: {}", r.response);
        }
    }
}
