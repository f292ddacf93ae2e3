"""The rule policy: Rasa's RulePolicy, remembering which rules fit the latest conversation state it has seen.

For every prediction RulePolicy checks each of its rule keys (several hundred here) against the conversation's
latest state, then narrows the survivors down with the earlier states: a large share of a turn (measured in the
README, Benchmarks). The first, widest step depends only on the rules, fixed once the model is loaded, and on that
latest state, which repeats across residents (the same question asked after the same action), so its result is
remembered. The narrowing and everything else is RulePolicy's own; training does not remember anything.
"""
from collections import OrderedDict
from typing import Any, Dict, Hashable, List, Optional, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.generator import State

# Distinct latest states seen; each entry is a set of rule keys, so the memory stays small.
MAX_REMEMBERED_STATES = 10_000


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class RememberingRulePolicy(RulePolicy):
    _matches_by_state: Optional["OrderedDict[Tuple[int, Hashable], frozenset]"] = None

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "RememberingRulePolicy":
        policy = super().load(config, model_storage, resource, execution_context, **kwargs)
        policy._matches_by_state = OrderedDict()
        return policy

    # Written against rasa 3.6.21, whose RulePolicy finds the rules for a prediction through _get_possible_keys and
    # _is_rule_applicable (guard: test_rasa_predicts_through_the_remembered_rule_keys).
    def _get_possible_keys(self, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
        if self._matches_by_state is None or not states:
            return super()._get_possible_keys(lookup, states)
        *earlier, latest = states
        remembered = (id(lookup), _frozen(latest))
        matches = self._matches_by_state.get(remembered)
        if matches is None:
            matches = frozenset(key for key in lookup if self._is_rule_applicable(key, 0, latest))
            self._matches_by_state[remembered] = matches
            if len(self._matches_by_state) > MAX_REMEMBERED_STATES:
                self._matches_by_state.popitem(last=False)
        possible_keys = set(matches)
        for turn_index, state in enumerate(reversed(earlier), start=1):
            possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, turn_index, state)}
        return possible_keys


def _frozen(value: Any) -> Hashable:
    """A hashable copy of a state that tells apart whatever the state itself tells apart (lists from tuples too)."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted((key, _frozen(item)) for key, item in value.items())))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_frozen(item) for item in value))
    return value
