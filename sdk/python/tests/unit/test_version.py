"""The SDK's version follows the suite's (the root pom.xml), in PEP 440 form."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import loupe
from loupe import _http

POM = Path(__file__).resolve().parents[4] / "pom.xml"


def pep440(maven: str) -> str:
    return re.sub(r"-SNAPSHOT$", ".dev0", maven)


def test_the_version_is_the_root_poms_in_pep_440_form():
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    version = ElementTree.parse(POM).getroot().find("m:version", ns).text.strip()
    assert loupe.__version__ == pep440(version)
    assert pep440("0.1.0-SNAPSHOT") == "0.1.0.dev0" and pep440("1.2.3") == "1.2.3"


def test_the_user_agent_carries_the_version():
    assert _http.USER_AGENT == f"loupe-sdk-python/{loupe.__version__}"
