"""`RememberingRulePolicy` finds exactly the rules RulePolicy finds, for the rules of the trained model."""
import json
import tarfile

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.policy import RememberingRulePolicy
from tests.conftest import MODEL, PROJECT_ROOT


@pytest.fixture(scope="module")
def lookup():
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `python -m bot train` (make test does) first")
    with tarfile.open(MODEL) as model:
        member = next(m for m in model.getmembers() if m.name.endswith("RulePolicy1/rule_policy.json"))
        return json.load(model.extractfile(member))["lookup"]


def loaded_policies(lookup, tmp_path):
    """RulePolicy with these rules, saved, and loaded back as RulePolicy and as RememberingRulePolicy."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource("rules")
    context = ExecutionContext(GraphSchema({}), node_name="rules")
    RulePolicy(RulePolicy.get_default_config(), storage, resource, context, lookup=lookup).persist()
    return [cls.load(cls.get_default_config(), storage, resource, context)
            for cls in (RulePolicy, RememberingRulePolicy)]


TABLES = ("rules", "rules_for_loop_unhappy_path")


def conversations(lookup):
    """Every rule's own states, and each of them cut short: real sequences of dialogue states."""
    for table in TABLES:
        for key in lookup[table]:
            states = json.loads(key)
            for start in range(len(states)):
                yield states[start:]


def test_the_same_rules_match_every_state_sequence_twice_over(lookup, tmp_path):
    rasas, ours = loaded_policies(lookup, tmp_path)
    assert rasas.lookup == ours.lookup == lookup
    cases = list(conversations(lookup))
    assert len(cases) > 400

    for _ in range(2):  # the second round answers the first step from memory
        for states in cases:
            for table in TABLES:
                assert (ours._get_possible_keys(ours.lookup[table], states)
                        == rasas._get_possible_keys(rasas.lookup[table], states))
    assert 0 < len(ours._matches_by_state) < len(cases)


def test_without_a_loaded_model_nothing_is_remembered(lookup, tmp_path):
    training = RememberingRulePolicy(RememberingRulePolicy.get_default_config(), None, Resource("r"),
                                     ExecutionContext(GraphSchema({}), node_name="r"), lookup=lookup)
    states = next(conversations(lookup))

    training._get_possible_keys(lookup["rules"], states)

    assert training._matches_by_state is None


def test_rasa_predicts_through_the_remembered_rule_keys(lookup, tmp_path):
    """Guard, written against rasa 3.6.21: a prediction goes through `_get_possible_keys`, so it is remembered."""
    rasas, ours = loaded_policies(lookup, tmp_path)
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    greeting = [ActionExecuted(ACTION_LISTEN_NAME), UserUttered("你好", {"name": "greet", "confidence": 1.0})]
    tracker = DialogueStateTracker.from_events("resident", greeting, slots=domain.slots)

    predicted = ours.predict_action_probabilities(tracker, domain)

    assert predicted.probabilities == rasas.predict_action_probabilities(tracker, domain).probabilities
    best = domain.action_names_or_texts[predicted.probabilities.index(max(predicted.probabilities))]
    assert best == "utter_greet"
    assert len(ours._matches_by_state) > 0
