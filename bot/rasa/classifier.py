"""The intent classifier: Rasa's LogisticRegressionClassifier, minus two costs that are larger than the scoring.

Both were found with py-spy on the Rasa server under load, and neither changes a single number:
- scikit-learn scores a message as `features @ coef_.T`; with `coef_` in row order, scipy first copies the whole
  weight matrix (intents x features) into column order, on every message. The
  weights are kept in column order instead.
- Rasa appends each message's dense features to its sparse ones with scipy's `hstack`, also when there are no
  dense features, as in our pipeline: building the empty block costs as much. It is skipped then.
"""
from typing import List

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, vstack


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    # Written against rasa 3.6.21, whose LogisticRegressionClassifier keeps its model in self.clf and builds every
    # message's features with _create_X (guard: test_rasa_scores_through_the_lighter_feature_matrix).
    def process(self, messages: List[Message]) -> List[Message]:
        coef = getattr(self.clf, "coef_", None)
        if coef is not None and not coef.flags.f_contiguous:
            self.clf.coef_ = np.asfortranarray(coef)
        return super().process(messages)

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        if any(message.get_dense_features(attribute=TEXT)[1] is not None for message in messages):
            return super()._create_X(messages)
        rows = []
        for message in messages:
            sentence = message.get_sparse_features(attribute=TEXT)[1]
            rows.append(csr_matrix(sentence.features) if sentence is not None else csr_matrix((1, 0)))
        return vstack(rows, format="csr")
