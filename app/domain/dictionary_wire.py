"""Wire models of the pronunciation-dictionary endpoints (pydantic, parsed leniently like
app/domain/wire.py); rules come back as domain rules (app/domain/pronunciation.py)."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from app.domain.pronunciation import Rule, rule_from_json
from app.domain.wire import WireModel, readable_entries


class DictionaryMetadata(WireModel):
    """`GetPronunciationDictionaryMetadataResponseModel`."""

    id: str
    latest_version_id: str
    latest_version_rules_num: int
    name: str
    permission_on_resource: str | None = None
    created_by: str = ""
    creation_time_unix: int = 0
    archived_time_unix: int | None = None


class DictionariesPage(WireModel):
    """`GetPronunciationDictionariesMetadataResponseModel`."""

    pronunciation_dictionaries: list[DictionaryMetadata]
    next_cursor: str | None = None
    has_more: bool = False

    @field_validator("pronunciation_dictionaries", mode="before")
    @classmethod
    def _readable_dictionaries(cls, value: Any) -> Any:
        """One unreadable dictionary is left out, the others listed (it refused the page)."""
        return readable_entries(DictionaryMetadata, value, "dictionaries")


class DictionaryWithRules(DictionaryMetadata):
    """`GetPronunciationDictionaryWithRulesResponseModel`."""

    rules: list[dict[str, Any]]

    def domain_rules(self) -> list[Rule]:
        return [rule_from_json(r) for r in self.rules]


class AddedDictionary(WireModel):
    """`AddPronunciationDictionaryResponseModel`."""

    id: str
    name: str
    version_id: str
    version_rules_num: int
    created_by: str = ""
    creation_time_unix: int = 0
    permission_on_resource: str | None = None


class RulesVersion(WireModel):
    """`PronunciationDictionaryRulesResponseModel`: the version a change made."""

    id: str
    version_id: str
    version_rules_num: int
