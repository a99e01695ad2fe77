"""The predict and convert commands, and neuron.load's choice of reader."""

import io
import sys

import pytest

import neuron
from neuron.cli import main
from neuron.models import coffee

from fixtures import path


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_predict_one_row_with_a_built_in_model(capsys):
    code, out, err = run(["predict", "coffee", "--row", "200,13.9", "--decide", "0.5"], capsys)
    assert code == 0
    header, row = out.strip().splitlines()
    assert header == "y0,decision"
    assert row == "%r,1" % coffee()([200.0, 13.9])[0]


def test_predict_csv_with_labels_reports_accuracy_on_stderr(capsys):
    code, out, err = run(["predict", path("native", "coffee.json"), "--input",
                          path("..", "..", "neuron", "data", "coffee_data.csv"), "--label-column", "label"], capsys)
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "good roast" and len(lines) == 201
    assert "accuracy: 200/200" in err
    assert "157" in err and "43" in err


def test_predict_reads_stdin(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("temperature,duration\n200,13.9\n200,17\n"))
    code, out, _ = run(["predict", "coffee", "--input", "-", "--decide", "0.5"], capsys)
    assert code == 0
    assert [line.split(",")[1] for line in out.strip().splitlines()[1:]] == ["1", "0"]


def test_predict_bad_input_is_an_error_not_a_traceback(capsys, tmp_path):
    bad = tmp_path / "rows.csv"
    bad.write_text("1,2\n3,x\n")
    code, _, err = run(["predict", "coffee", "--input", str(bad)], capsys)
    assert code == 1 and "row 2, column 2" in err


def test_convert_sklearn_json_then_predict_gives_sklearn_labels(capsys, tmp_path):
    import json

    target = tmp_path / "clf.json"
    code, _, err = run(["convert", path("sklearn", "clf_binary_logistic.json"), str(target)], capsys)
    assert code == 0 and "wrote" in err
    model = neuron.load(str(target))
    fixture = json.load(open(path("sklearn", "clf_binary_logistic.json")))
    assert model.predict(fixture["inputs"]) == fixture["expected_predict"]


def test_convert_safetensors_with_module_names(capsys, tmp_path):
    target = tmp_path / "m.json"
    code, _, err = run(["convert", path("torch", "mlp_sigmoid.safetensors"), str(target),
                        "--torch-modules", "Linear,Sigmoid,Linear,Sigmoid"], capsys)
    assert code == 0, err
    assert [layer.activation.name for layer in neuron.load(str(target)).layers][-1].endswith("sigmoid")


def test_load_refuses_what_is_not_a_model():
    with pytest.raises(neuron.FormatError, match="unrecognised"):
        neuron.load(b"\x00\x01\x02 garbage")
    with pytest.raises(neuron.FormatError, match="weights only.*load_weights"):
        neuron.load(path("keras", "coffee.weights.h5"))
    with pytest.raises(neuron.FormatError, match="Keras config"):
        neuron.load(b'{"class_name": "Sequential", "config": {}}')
    with pytest.raises(neuron.FormatError, match="unknown format"):
        neuron.load(b"{}", format="tflite")


def test_load_refuses_torch_pickles_with_the_safetensors_hint():
    with pytest.raises(neuron.FormatError, match="safetensors") as caught:
        neuron.load(path("torch", "mlp_relu.pt"))
    assert "mlp_relu.pt" in str(caught.value)


def test_load_of_a_weights_file_explains_what_to_do():
    with pytest.raises(neuron.FormatError, match="weights only") as caught:
        neuron.load(path("keras", "coffee.npz"))
    assert "arr_0 2" in str(caught.value) and "from_keras" in str(caught.value)
    with pytest.raises(neuron.FormatError, match="from_torch"):
        neuron.load(path("torch", "mlp_relu.safetensors"))


def test_read_arrays_orders_names_numerically():
    names = list(neuron.formats.read_arrays(path("torch", "mlp_mixed.safetensors")))
    assert names[-2:] == ["10.bias", "10.weight"]


# -- predict: what the hostile tester found ------------------------------------


def _csv(tmp_path, data, name="rows.csv"):
    target = tmp_path / name
    target.write_bytes(data)
    return str(target)


def test_predict_csv_with_a_byte_order_mark_keeps_its_first_row(capsys, tmp_path):
    # The BOM made "\ufeff200" not a number, so the first row became a header.
    rows = _csv(tmp_path, b"\xef\xbb\xbf200,13.9\n200,17\n")
    code, out, _ = run(["predict", "coffee", "--input", rows, "--decide", "0.5"], capsys)
    assert code == 0
    assert [line.split(",")[1] for line in out.strip().splitlines()[1:]] == ["1", "0"]


def test_predict_label_column_named_after_a_byte_order_mark(capsys, tmp_path):
    rows = _csv(tmp_path, b"\xef\xbb\xbflabel,temperature,duration\n1,200,13.9\n0,200,17\n")
    code, _, err = run(["predict", "coffee", "--input", rows, "--label-column", "label"], capsys)
    assert code == 0, err
    assert "accuracy: 2/2" in err


def test_predict_stdin_with_a_byte_order_mark(capsys, monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbf200,13.9\n200,17\n"), encoding="latin-1")
    monkeypatch.setattr(sys, "stdin", stdin)
    code, out, _ = run(["predict", "coffee", "--input", "-"], capsys)
    assert code == 0 and len(out.strip().splitlines()) == 3


def test_predict_non_utf8_csv_is_a_one_line_error(capsys, tmp_path):
    rows = _csv(tmp_path, "temp\xe9rature,duration\n200,13.9\n".encode("latin-1"), "latin1.csv")
    code, out, err = run(["predict", "coffee", "--input", rows], capsys)
    assert code == 1 and out == ""
    assert "latin1.csv is not UTF-8" in err and "0xe9" in err and len(err.strip().splitlines()) == 1


def test_predict_decide_nan_is_an_error(capsys):
    # Used to decide 0 for every row.
    code, out, err = run(["predict", "coffee", "--row", "200,13.9", "--decide", "nan"], capsys)
    assert code == 1 and out == "" and "--decide" in err and "nan" in err


@pytest.mark.parametrize("label", ["nan", "inf", "-inf", "1e400"])
def test_predict_non_finite_label_is_an_error_naming_the_row(capsys, tmp_path, label):
    rows = _csv(tmp_path, ("t,d,label\n200,13.9,1\n200,17,%s\n" % label).encode())
    code, _, err = run(["predict", "coffee", "--input", rows, "--label-column", "label"], capsys)
    assert code == 1 and "row 2, label column" in err and "not a class label" in err


def test_predict_row_shorter_than_the_label_column(capsys, tmp_path):
    rows = _csv(tmp_path, b"t,d,label\n200,13.9,1\n200,17\n")
    code, _, err = run(["predict", "coffee", "--input", rows, "--label-column", "label"], capsys)
    assert code == 1 and "row 2 has 2 columns, so no label column 3" in err


def test_predict_nan_input_names_the_flag_and_the_flag_works(capsys):
    code, _, err = run(["predict", "coffee", "--row", "nan,13.9"], capsys)
    assert code == 1 and "--allow-nonfinite" in err and "allow_nonfinite=True" not in err
    code, out, _ = run(["predict", "coffee", "--row", "nan,13.9", "--allow-nonfinite"], capsys)
    assert code == 0 and out == "y0\nnan\n"
    # A NaN output cannot be decided: an error, not a silent 0.
    code, _, err = run(["predict", "coffee", "--row", "nan,13.9", "--allow-nonfinite", "--decide", "0.5"], capsys)
    assert code == 1 and "NaN" in err


def test_a_command_without_the_flag_does_not_advise_it(capsys):
    code, _, err = run(["coffee", "--temperature", "nan"], capsys)
    assert code == 1 and "allow_nonfinite" not in err and "finite numbers only" in err


def test_predict_errors_count_rows_in_the_whole_input(capsys, tmp_path):
    # The model sees batches of 500 rows; its own messages would count from each batch's start.
    lines = ["200,13.9"] * 700
    lines[599] = "nan,13.9"
    rows = _csv(tmp_path, ("\n".join(lines) + "\n").encode())
    code, _, err = run(["predict", "coffee", "--input", rows], capsys)
    assert code == 1 and "row 600, column 1 is nan" in err and "--allow-nonfinite" in err
    code, _, err = run(["predict", "coffee", "--input", rows, "--allow-nonfinite", "--decide", "0.5"], capsys)
    assert code == 1 and "row 600's outputs hold NaN" in err
    lines[599] = "200,13.9,1"
    rows = _csv(tmp_path, ("\n".join(lines) + "\n").encode())
    code, _, err = run(["predict", "coffee", "--input", rows], capsys)
    assert code == 1 and "row 600 has 3 values; the model takes 2" in err


def test_predict_with_a_classifier_file_and_nan(capsys, tmp_path):
    model = neuron.Sequential([neuron.Dense(1, "sigmoid", kernel=[[1.0]])])
    target = tmp_path / "clf.json"
    neuron.Classifier(model, ["no", "yes"]).save(str(target))
    code, out, _ = run(["predict", str(target), "--row", "inf", "--allow-nonfinite"], capsys)
    assert code == 0 and out == "p_no,p_yes,prediction\n0.0,1.0,yes\n"
    code, _, err = run(["predict", str(target), "--row", "nan", "--allow-nonfinite"], capsys)
    assert code == 1 and "row 1's probabilities hold NaN" in err


def test_the_library_advice_becomes_the_flag_for_commands_that_have_it(capsys):
    code, _, err = run(["explain", "coffee", "--row", "nan,13.9"], capsys)
    assert code == 1 and "(--allow-nonfinite lets NaN and infinity through)" in err and "allow_nonfinite=True" not in err


def test_a_non_ascii_digit_is_not_a_column_number(tmp_path, capsys):
    csv = tmp_path / "rows.csv"
    csv.write_text("200,13.9,1\n")
    code, _, err = run(["predict", "coffee", "--input", str(csv), "--label-column", "\u00b2"], capsys)
    assert code != 0 and "Traceback" not in err
