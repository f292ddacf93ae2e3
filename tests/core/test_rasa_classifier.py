"""`LinearIntentClassifier` gives exactly what Rasa's LogisticRegressionClassifier gives, only sooner."""
import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import coo_matrix

from bot.rasa.classifier import LinearIntentClassifier

INTENTS = ["greet", "ask_lunch", "report_problem"]


def message(vector, intent=None) -> Message:
    data = {TEXT: "x"}
    if intent:
        data["intent"] = intent
    msg = Message(data=data)
    msg.add_features(Features(coo_matrix(np.array([vector], dtype=float)), FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    return msg


@pytest.fixture
def training_data() -> TrainingData:
    rng = np.random.default_rng(7)
    examples = []
    for index, intent in enumerate(INTENTS):
        for _ in range(20):
            vector = rng.poisson(0.3, 40).astype(float)
            vector[index * 10:(index + 1) * 10] += rng.poisson(1.5, 10)
            examples.append(message(vector, intent))
    return TrainingData(training_examples=examples)


def trained(cls, training_data, tmp_path):
    (tmp_path / cls.__name__).mkdir()
    storage = LocalModelStorage(tmp_path / cls.__name__)
    context = ExecutionContext(GraphSchema({}), node_name=cls.__name__)
    component = cls.create({**cls.get_default_config(), "max_iter": 1000}, storage, Resource(cls.__name__), context)
    component.train(training_data)
    return component


def test_the_same_intents_and_confidences_as_rasas_classifier(training_data, tmp_path):
    ours = trained(LinearIntentClassifier, training_data, tmp_path)
    rasas = trained(LogisticRegressionClassifier, training_data, tmp_path)
    rng = np.random.default_rng(11)
    vectors = [rng.poisson(0.8, 40).astype(float) for _ in range(30)]

    ours_out = ours.process([message(v) for v in vectors])
    rasas_out = rasas.process([message(v) for v in vectors])

    for a, b in zip(ours_out, rasas_out):
        assert a.get("intent")["name"] == b.get("intent")["name"]
        assert a.get("intent")["confidence"] == pytest.approx(b.get("intent")["confidence"], abs=1e-12)
        assert [r["name"] for r in a.get("intent_ranking")] == [r["name"] for r in b.get("intent_ranking")]
    assert ours.clf.coef_.flags.f_contiguous


def test_one_message_at_a_time_gives_the_same_as_a_batch(training_data, tmp_path):
    ours = trained(LinearIntentClassifier, training_data, tmp_path)
    vectors = [np.eye(40)[i] * 3 for i in (0, 15, 25)]

    batch = [m.get("intent") for m in ours.process([message(v) for v in vectors])]
    single = [ours.process([message(v)])[0].get("intent") for v in vectors]

    assert batch == single
    assert [i["name"] for i in batch] == INTENTS


def test_rasa_scores_through_the_lighter_feature_matrix(training_data, tmp_path, monkeypatch):
    """Guard, written against rasa 3.6.21: `process` builds the features with `_create_X`, once per batch."""
    ours = trained(LinearIntentClassifier, training_data, tmp_path)
    built = []
    create_x = LinearIntentClassifier._create_X

    def spied_create_x(self, messages):
        matrix = create_x(self, messages)
        built.append(matrix.shape)
        return matrix

    monkeypatch.setattr(LinearIntentClassifier, "_create_X", spied_create_x)

    ours.process([message(np.eye(40)[i]) for i in (0, 15, 25)])

    assert built == [(3, 40)]
