"""A small support assistant (retrieval, one tool, a stub model) instrumented with Loupe's Python SDK.

    set -a; . .loupe/stack.env; set +a
    python3 examples/python-rag/app.py [--feature support-rag] [--questions 5] [--no-evaluation-config]

It answers a few customer questions, one of them wrongly (from an out-of-date help article), logs every answer
as a decision, then sends the support agent's correction of the wrong one as feedback. It prints the decision
pages to open on the dashboard and exits 0 once everything was delivered.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rag  # noqa: E402 - the app's own parts, beside this file

try:
    import loupe
except ImportError:  # not installed: use the SDK from this repository
    sys.path.insert(0, os.path.join(HERE, "..", "..", "sdk", "python", "src"))
    import loupe

EVALUATION_FILE = os.path.join(HERE, "evaluation.json")


def answer(question: str, feature: str, user_id: str, session_id: str, call_number: int) -> Tuple[str, str]:
    """Answers one question inside a trace and logs the decision; returns (decision id, answer)."""
    started = time.perf_counter()
    with loupe.trace("answer support question", feature=feature, user_id=user_id, session_id=session_id):
        with loupe.retrieval("search help articles", query=question) as search:
            documents = rag.retrieve(question)
            search.documents(documents)

        tool_result: Optional[Dict[str, Any]] = None
        order = rag.ORDER.search(question)
        if order:
            with loupe.tool("lookup_order", arguments={"order_id": order.group(1)}) as call:
                tool_result = rag.lookup_order(order.group(1))
                call.set(tool_result=tool_result)

        prompt = rag.render_prompt(question, documents, tool_result)
        with loupe.llm_call(model=rag.MODEL, provider="openai", prompt=[{"role": "user", "content": prompt}],
                            prompt_template=rag.PROMPT_TEMPLATE, prompt_version=rag.PROMPT_VERSION) as call:
            response = rag.stub_model(question, prompt, documents, tool_result, call_number)
            loupe.record_openai(response, call)  # model, token usage, finish reason, completion

        content = response["choices"][0]["message"]["content"]
        parsed: Any = None
        parse_error: Optional[str] = None
        try:
            parsed = json.loads(content)
            text = parsed["answer"]
        except (ValueError, KeyError, TypeError) as e:
            parse_error, text = f"{type(e).__name__}: {e}", content
        decision_id = loupe.log_ai_decision(
            feature=feature,
            input=question,
            retrieval_results=documents,  # doc_id, score, text (the collector keeps only an HMAC of the text)
            prompt_template=rag.PROMPT_TEMPLATE,
            prompt_version=rag.PROMPT_VERSION,
            model=response["model"],
            output=text,
            parsed_output=parsed,
            parse_error=parse_error,
            latency_ms=(time.perf_counter() - started) * 1000,
            metadata={"knowledgeBase": "help-articles", "toolUsed": "lookup_order" if order else "none"},
        )
    return decision_id, text


def put_evaluation(feature: str) -> None:
    """Sets the feature's evaluation (evaluation.json) with the admin key, when LOUPE_ADMIN_KEY is set."""
    admin_key = os.environ.get("LOUPE_ADMIN_KEY")
    if not admin_key:
        print("evaluation: LOUPE_ADMIN_KEY is not set; the feature keeps the eval-runner's defaults "
              "(10 % of decisions sampled)")
        return
    base = os.environ.get("LOUPE_EVAL_URL", "http://127.0.0.1:8083").rstrip("/")
    url = f"{base}/v1/features/{urllib.parse.quote(feature, safe='')}/evaluation"
    with open(EVALUATION_FILE, "rb") as f:
        body = f.read()
    request = urllib.request.Request(url, data=body, method="PUT", headers={
        "Authorization": f"Bearer {admin_key}", "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer_:
            print(f"evaluation: PUT {url} -> HTTP {answer_.status} (every decision of {feature!r} is evaluated; "
                  "eval-runner replicas see the change within 5 s)")
    except urllib.error.HTTPError as e:
        detail = e.read()[:300].decode("utf-8", "replace")
        print(f"evaluation: PUT {url} -> HTTP {e.code}: {detail}", file=sys.stderr)
    except OSError as e:
        print(f"evaluation: PUT {url} failed: {e}", file=sys.stderr)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description="A small RAG support assistant instrumented with Loupe.")
    parser.add_argument("--feature", default="support-rag", help="the feature its traces and decisions carry")
    parser.add_argument("--questions", type=int, default=len(rag.QUESTIONS),
                        help=f"questions to answer, cycling through {len(rag.QUESTIONS)} (default: all once)")
    parser.add_argument("--no-evaluation-config", dest="evaluation", action="store_false",
                        help="do not PUT evaluation.json as the feature's evaluation")
    args = parser.parse_args(argv)
    if args.questions < 1:
        parser.error("--questions must be at least 1")
    missing = [v for v in ("LOUPE_PUBLIC_KEY",) if not os.environ.get(v)]
    if not (os.environ.get("LOUPE_API_KEY") or os.environ.get("LOUPE_SECRET_KEY")):
        missing.insert(0, "LOUPE_SECRET_KEY")
    if missing:
        print(f"{', '.join(missing)} not set: run `bin/loupe up`, then `set -a; . .loupe/stack.env; set +a`",
              file=sys.stderr)
        return 2

    loupe.configure(flush_interval=0.2)  # keys and URLs from the environment (LOUPE_*)
    if args.evaluation:
        put_evaluation(args.feature)

    session_id = f"session-{uuid.uuid4().hex[:8]}"
    answered = []
    for i in range(args.questions):
        question, correction = rag.QUESTIONS[i % len(rag.QUESTIONS)]
        user_id = f"customer-{1 + i % 3}"
        decision_id, text = answer(question, args.feature, user_id, session_id, i)
        answered.append((decision_id, question, text, correction, user_id))
        print(f"{decision_id}  {question}\n    -> {text}")

    # the decisions on their way before the corrections that name them (eval-runner parks early feedback anyway)
    loupe.flush(10)
    aggregator = os.environ.get("LOUPE_AGGREGATOR_URL", "http://127.0.0.1:8082").rstrip("/")
    corrected = []
    for decision_id, question, text, correction, user_id in answered:
        if correction is None:
            continue
        try:
            feedback_id = loupe.capture_feedback(decision_id, "edited", correction=correction, user_id=user_id,
                                                 idempotency_key=f"correction-{decision_id}")
        except loupe.LoupeError as e:
            print(f"feedback on {decision_id} not sent: {e}", file=sys.stderr)
            return 1
        corrected.append(decision_id)
        print(f"corrected {decision_id} (feedback {feedback_id}): {correction}")

    delivered = loupe.flush(10)
    stats = loupe.stats()
    print("\nOn the dashboard (paste LOUPE_SECRET_KEY when it asks for a key):")
    for decision_id, question, *_ in answered:
        mark = "  <- corrected" if decision_id in corrected else ""
        print(f"  {aggregator}/decisions/{decision_id}{mark}")
    print(f"  {aggregator}/feedback    {aggregator}/quality")
    print(f"sdk: sent {stats['sent']}, rejected {stats['rejected']}, failed {stats['failed']}, "
          f"dropped {stats['dropped']}")
    loupe.close()
    if not delivered or stats["failed"] or stats["rejected"] or stats["dropped"]:
        print("some telemetry was not delivered (see the log lines above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
