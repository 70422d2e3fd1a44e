"""An optional language model's second opinion where the offline understanding is unsure.

Off unless `[understanding] llm_url` is set. Asked by the read-ahead, after the offline
reading, only when that reading's confidence is below `llm_below_confidence` and it shows no
danger: the model can never take the emergency route away (it may raise one). Its answer must be
JSON with allowed labels only; any error, timeout or invalid answer leaves the offline reading
as it was, with a WARNING naming the reason. The understanding itself stays pure: this is the
only place a message leaves the machine, and only when configured to.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.config.settings import UnderstandingSettings
from bot.nlu.pipeline import Reading
from bot.nlu.types import CATEGORIES, INTENTS, Category, Intent
from common.logs import log
from common.templates import render

if TYPE_CHECKING:
    from openai import AsyncOpenAI

# A reading the model gave: its intent decided, so as sure as the offline path is of a rule.
_LLM_CONFIDENCE = 0.9


class LlmAnswer(BaseModel):
    """What the model must answer; anything else is rejected."""

    model_config = ConfigDict(extra="ignore")

    intent: Intent
    explicit: bool | None = None
    category: Category | None = None
    anger: Literal[0, 1, 2] = 0


class LlmMissing(RuntimeError):
    """`llm_url` is set but the `openai` client is not installed."""


class SecondOpinion:
    def __init__(self, settings: UnderstandingSettings) -> None:
        try:
            from openai import AsyncOpenAI
        except ImportError:
            raise LlmMissing(
                "understanding.llm_url is set but the openai package is missing: "
                "pip install 'klachtbot[llm]'"
            ) from None
        self._settings = settings
        self._client: AsyncOpenAI = AsyncOpenAI(
            base_url=settings.llm_url,
            api_key=settings.llm_api_key.get_secret_value() or "none",
            timeout=settings.llm_timeout_seconds,
            max_retries=0,
        )
        self._instruction = render(
            "understanding/llm_system.txt.j2", intents=INTENTS, categories=CATEGORIES
        )
        self.asked = 0  # how often the model was asked, for tests and metrics

    def wanted(self, reading: Reading) -> bool:
        heard = reading.understood
        unsure = heard.confidence < self._settings.llm_below_confidence
        return unsure and not heard.danger

    async def review(self, text: str, reading: Reading) -> Reading:
        """`reading`, or the model's reading of `text` where it was unsure and the model answers."""
        if not self.wanted(reading):
            return reading
        self.asked += 1
        try:
            answer = await asyncio.wait_for(self._ask(text), self._settings.llm_timeout_seconds)
        except Exception as error:
            log.warning(
                "understanding.llm_failed", url=self._settings.llm_url, error=_reason(error)
            )
            return reading
        heard = reading.understood
        complaint = answer.intent == "complaint"
        return replace(
            reading,
            understood=replace(
                heard,
                intent=answer.intent,
                danger=answer.intent == "emergency",
                explicit=(answer.explicit if answer.explicit is not None else False)
                if complaint
                else None,
                category=(answer.category or "other") if complaint else None,
                anger=answer.anger,
                confidence=_LLM_CONFIDENCE,
            ),
        )

    async def _ask(self, text: str) -> LlmAnswer:
        response = await self._client.chat.completions.create(
            model=self._settings.llm_model,
            messages=[
                {"role": "system", "content": self._instruction},
                {"role": "user", "content": text},
            ],
            temperature=0,
            response_format={"type": "json_object"},
        )
        content = response.choices[0].message.content or ""
        return LlmAnswer.model_validate(_json_object(content))

    async def close(self) -> None:
        await self._client.close()


def _json_object(content: str) -> dict[str, Any]:
    """The JSON object in the answer; some servers wrap it in a code fence."""
    start, end = content.find("{"), content.rfind("}")
    if start < 0 or end < start:
        raise ValueError("the answer holds no JSON object")
    value = json.loads(content[start : end + 1])
    if not isinstance(value, dict):
        raise ValueError("the answer is not a JSON object")
    return value


def _reason(error: BaseException) -> str:
    """One line naming what went wrong, never the message text or a key."""
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, ValidationError):
        return "answer has labels that are not allowed"
    return type(error).__name__


def second_opinion_for(settings: UnderstandingSettings) -> SecondOpinion | None:
    """The configured second opinion, or None: off, or its client missing (said once)."""
    if not settings.llm_configured:
        return None
    try:
        return SecondOpinion(settings)
    except LlmMissing as missing:
        log.warning("understanding.llm_off", reason=str(missing))
        return None
