"""Sphinx configuration of the sklearn-lmwc documentation.

Build (warnings are errors):

    pip install ".[docs]"
    python -m sphinx -W -b html docs docs/_build/html

A local build runs the gallery examples (under a minute); with the environment variable
CI set (as in .ci/run), or with ``-D plot_gallery=0``, they are rendered without being
run.
"""

import os

import sklearn_lmwc

project = "sklearn-lmwc"
author = "the sklearn-lmwc developers"
copyright = "2026, the sklearn-lmwc developers"
release = version = sklearn_lmwc.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]

exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip"]
html_theme = "alabaster"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {"description": "Levenberg–Marquardt with adaptable weight compression",
                      "page_width": "1100px", "sidebar_width": "220px"}

# numpydoc: the estimators document their parameters and attributes; the methods
# are listed explicitly in api.rst rather than by an autosummary table per class
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
autodoc_default_options = {"member-order": "bysource"}

# the topology pictures of the user guide are drawn at build time
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    "ignore_pattern": r"quickstart\.py",  # a console script, not a gallery example
    # CI only checks that the gallery renders, without the examples' run time
    "plot_gallery": "False" if os.environ.get("CI") else "True",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "matplotlib_animations": False,
    "remove_config_comments": True,
}
