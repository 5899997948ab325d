"""The app's parts, with no Loupe in them: a knowledge base, retrieval, a prompt template, a stub model and a tool.

Everything is deterministic, so every run answers the same: the stub "model" answers from the top document and
returns a dict shaped like an OpenAI chat completion (``choices``, ``usage``), as ``openai`` would.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional

# A shop's support articles. kb-refunds-2021 is out of date (refunds used to take 14 days) and, sharing more
# words with how customers ask, ranks first for refund questions: the wrong answer the correction fixes.
KNOWLEDGE_BASE: Dict[str, str] = {
    "kb-refunds-2021": "How long does a refund take? Refunds take up to 14 days from your refund request.",
    "kb-refunds": "Refunds are issued to the original payment method within 5 business days after we receive "
                  "the returned item.",
    "kb-returns": "You can return an item within 30 days of delivery if it is unused and in its original "
                  "packaging. Start a return from the order page.",
    "kb-shipping": "Standard shipping takes 3 to 5 business days. Express shipping arrives the next business day "
                   "when you order before 2 pm.",
    "kb-warranty": "Electronics carry a two-year warranty that covers manufacturing defects, not accidental "
                   "damage.",
    "kb-orders": "You can track an order from the order page. An order can be cancelled until it ships.",
}

# (question, the answer a support agent would write instead, when the app's answer is wrong)
QUESTIONS: List[tuple] = [
    ("How long does a refund take?",
     "Refunds are issued to the original payment method within 5 business days after we receive the returned "
     "item."),
    ("Where is my order 1042?", None),
    ("Can I return shoes I bought three weeks ago?", None),
    ("How fast is express shipping?", None),
    ("Is accidental damage to my laptop covered by the warranty?", None),
]

PROMPT_TEMPLATE = "support-answer"
PROMPT_VERSION = "3"
_TEMPLATE = (
    "You are the shop's support assistant. Answer the customer's question from the documents only, in one or two "
    "sentences, and cite the document ids you used.\n\nDocuments:\n{documents}\n{tool}\nQuestion: {question}"
)
MODEL = "gpt-4o-mini"

_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("a an the is are my i to of in it do does can how what where when for from on by be you".split())


def _words(text: str) -> List[str]:
    """Lower-case words without stop words, a plural's "s" removed (refunds → refund)."""
    words = [w for w in _WORD.findall(text.lower()) if w not in _STOP]
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]


def retrieve(question: str, k: int = 2) -> List[Dict[str, Any]]:
    """The k documents sharing most words with the question; score = shared words / question words."""
    asked = set(_words(question))
    scored = []
    for doc_id, text in KNOWLEDGE_BASE.items():
        shared = asked & set(_words(text))
        if shared:
            scored.append({"doc_id": doc_id, "score": round(len(shared) / max(1, len(asked)), 3), "text": text})
    scored.sort(key=lambda d: (-d["score"], d["doc_id"]))
    return scored[:k]


def render_prompt(question: str, documents: List[Dict[str, Any]], tool_result: Optional[Dict[str, Any]]) -> str:
    docs = "\n".join(f"[{d['doc_id']}] {d['text']}" for d in documents) or "(none)"
    tool = f"Order lookup: {json.dumps(tool_result)}\n" if tool_result else ""
    return _TEMPLATE.format(documents=docs, tool=tool, question=question)


ORDER = re.compile(r"\border (\d+)\b", re.IGNORECASE)
_ORDERS = {"1042": {"status": "shipped", "carrier": "DHL", "eta": "in 2 business days"}}


def lookup_order(order_id: str) -> Dict[str, Any]:
    """The 'order service' a tool call reaches."""
    return {"order_id": order_id, **_ORDERS.get(order_id, {"status": "unknown"})}


def _tokens(text: str) -> int:
    """Roughly what a tokenizer would count (about 4 characters per token)."""
    return max(1, (len(text) + 3) // 4)


def stub_model(question: str, prompt: str, documents: List[Dict[str, Any]], tool_result: Optional[Dict[str, Any]],
               call_number: int) -> Dict[str, Any]:
    """Answers from the top document (or the order lookup) as JSON ``{"answer", "citations"}``, in the shape of
    an OpenAI chat completion."""
    if tool_result:
        answer = f"Your order {tool_result['order_id']} is {tool_result['status']}"
        if "carrier" in tool_result:
            answer += f" with {tool_result['carrier']} and should arrive {tool_result['eta']}"
        answer += "."
        citations = [documents[0]["doc_id"]] if documents else []
    elif documents:
        top = documents[0]
        # the top document's statement that shares most words with the question (questions in it left out)
        asked = set(_words(question))
        sentences = [s for s in re.split(r"(?<=[.?!])\s+", top["text"]) if not s.endswith("?")]
        answer = max(sentences, key=lambda s: len(asked & set(_words(s))))
        citations = [top["doc_id"]]
    else:
        answer, citations = "I could not find that in our help articles.", []
    content = json.dumps({"answer": answer, "citations": citations})
    prompt_tokens = _tokens(prompt)
    return {
        "id": f"chatcmpl-stub-{call_number}",
        "object": "chat.completion",
        "created": 1_767_225_600 + call_number,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": _tokens(content),
            "total_tokens": prompt_tokens + _tokens(content),
            "prompt_tokens_details": {"cached_tokens": 64 if prompt_tokens >= 64 else 0},
        },
    }
