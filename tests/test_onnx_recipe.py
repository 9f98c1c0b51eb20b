"""The export page's recipe (docs/export.rst, "A pipeline on a mixed-type DataFrame"),
run as written: the page includes the code between the ``recipe`` markers below, so
the test and the page cannot drift apart."""

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("skl2onnx")
pytest.importorskip("onnxruntime")


def test_the_mixed_dataframe_recipe_runs_and_matches_predict():
    rng = np.random.default_rng(0)
    n = 200
    frame = pd.DataFrame({
        "age": rng.uniform(20, 70, n), "income": rng.lognormal(10, 0.5, n),
        "city": rng.choice(["Paris", "Oslo", "Rome"], n).astype(object),
        "plan": rng.choice(["basic", "pro"], n).astype(object)})
    y = (frame["age"] > 45) ^ (frame["city"] == "Oslo")
    frame.loc[::7, "income"] = np.nan  # missing values in both kinds of column
    frame.loc[::11, "city"] = np.nan
    X_new = frame.iloc[:20]

    # recipe-start
    import onnxruntime as rt
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    import sklearn_lmwc.onnx  # noqa: F401  (registers the converters)
    from sklearn_lmwc import LMWCClassifier

    numeric, categorical = ["age", "income"], ["city", "plan"]

    def with_empty_strings(frame):
        # skl2onnx imputes strings only when "missing" is a string: "" here
        return frame.assign(**{c: frame[c].fillna("").astype(str) for c in categorical})

    pipe = make_pipeline(
        ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
             numeric),
            ("cat", make_pipeline(SimpleImputer(missing_values="",
                                                strategy="most_frequent"),
                                  OneHotEncoder(handle_unknown="ignore")),
             categorical)]),
        LMWCClassifier(random_state=0))
    pipe.fit(with_empty_strings(frame), y)

    # one ONNX input per column, named as the column, of shape (n_samples, 1)
    initial_types = ([(c, FloatTensorType([None, 1])) for c in numeric]
                     + [(c, StringTensorType([None, 1])) for c in categorical])
    onx = to_onnx(pipe, initial_types=initial_types,
                  options={id(pipe[-1]): {"zipmap": False}})

    def feeds(frame):
        frame = with_empty_strings(frame)
        return {**{c: frame[[c]].to_numpy(np.float32) for c in numeric},
                **{c: frame[[c]].to_numpy(str) for c in categorical}}

    session = rt.InferenceSession(onx.SerializeToString(),
                                  providers=["CPUExecutionProvider"])
    labels, probabilities = session.run(None, feeds(X_new))
    # recipe-end

    np.testing.assert_array_equal(labels, pipe.predict(with_empty_strings(X_new)))
    np.testing.assert_allclose(probabilities,
                               pipe.predict_proba(with_empty_strings(X_new)), atol=1e-5)
    assert X_new["income"].isna().any() and X_new["city"].isna().any()
