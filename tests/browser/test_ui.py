"""The investigator explorer end to end in headless Chromium (Playwright).

A real API (uvicorn in a thread) on the test Neo4j holding a simulated world, clustered
and through fraud detection; the page is the build of ``web/`` (``make install``). The
test types a key and an identifier, sees the identity card, opens the ring list and a
ring, expands a node (the node count grows), asks for a path, and checks that a
screenshot of the graph is not blank. Every request the page makes must stay on the
API's origin (everything is bundled).

Chromium is Debian's (``/usr/bin/chromium``, installed by ``.ci/run``), never a
browser download.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from PIL import Image
from pydantic import SecretStr

from api.app import create_app
from api.ui import UI_DIR
from graph.explore.subgraph import identifier_node_id, identity_node_id
from graph.identity.clustering import cluster
from graph.ingest.pipeline import Ingestor
from graph.ingest.readers import RawRecord
from graph.lab.simulate import WorldConfig, simulate
from graph.model.identifiers import Normaliser
from graph.settings import Settings
from graph.store.algorithms import InProcessAlgorithms
from graph.store.repository import Neo4jStore
from tests.conftest import free_port

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INVESTIGATOR_KEY = "ui-investigator-key-" + "u" * 24
TIMEOUT_MS = 20_000

if not CHROMIUM.exists():
    pytest.skip(
        "no /usr/bin/chromium: install Debian's chromium (apt-get install chromium; "
        ".ci/run does) to run the explorer's browser test",
        allow_module_level=True,
    )


def _detect_rings(repo: Neo4jStore) -> None:
    """Fraud detection, writing Ring nodes and identity risks per the shared contract."""
    from graph.fraud.detect import detect

    detect(repo, algorithms=InProcessAlgorithms())


@pytest.fixture()
def world(repo: Neo4jStore) -> Neo4jStore:
    """A simulated world with fraud rings, clustered, rings detected."""
    config = WorldConfig(ring_share=0.1, ring_size=(5, 8))
    events = simulate(people=150, seed=17, days=60, config=config).events
    records = [RawRecord(n + 1, json.dumps(e), e) for n, e in enumerate(events)]
    summary, _ = Ingestor(repo, Normaliser()).ingest(records)
    assert summary.accepted > 0
    cluster(repo, InProcessAlgorithms(), full=True)
    _detect_rings(repo)
    with repo.driver.session(database=repo.database) as s:
        rings = s.run("MATCH (r:Ring) RETURN count(r) AS n").single()
    assert rings is not None and rings["n"] > 0, "the simulated world should hold a ring"
    return repo


@pytest.fixture()
def server(settings: Settings, world: Neo4jStore) -> Iterator[str]:
    """The API with an investigator key, served by uvicorn on a free port."""
    if not (UI_DIR / "index.html").is_file():
        pytest.fail("the explorer is not built: run `make install`", pytrace=False)
    keyed = settings.model_copy(update={"api_keys": SecretStr(f"{INVESTIGATOR_KEY}=investigator")})
    port = free_port()
    config = uvicorn.Config(create_app(keyed), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the API did not start", pytrace=False)
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture()
def page(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        pg = context.new_page()
        pg.set_default_timeout(TIMEOUT_MS)
        yield pg
        context.close()
        browser.close()


def _shared_with_others(repo: Neo4jStore) -> tuple[str, str, str, str]:
    """An identity with an e-mail, using a shared identifier another identity uses too
    (so expanding the shared node adds that identity): (e-mail, identity, shared
    identifier's node, the other identity's node)."""
    with repo.driver.session(database=repo.database) as s:
        record = s.run(
            "MATCH (a:Identifier {type: 'email'})"
            "WHERE a.identity_id IS NOT NULL AND coalesce(a.hub, false) = false "
            "MATCH (b:Identifier)-[:USED_BY]->(:Identity {identity_id: a.identity_id}) "
            "MATCH (b)-[:USED_BY]->(other:Identity) WHERE other.identity_id <> a.identity_id "
            "WITH a, b, other ORDER BY a.value, b.value, other.identity_id "
            "RETURN a.value AS value, a.identity_id AS identity_id, "
            "b.type AS b_type, b.value AS b_value, other.identity_id AS other LIMIT 1"
        ).single()
    assert record is not None, "the world should hold identifiers shared by identities"
    value, identity_id = str(record["value"]), str(record["identity_id"])
    shared = identifier_node_id(str(record["b_type"]), str(record["b_value"]))
    return value, identity_id, shared, identity_node_id(str(record["other"]))


def _node_count(page: Any) -> int:
    return int(page.get_by_test_id("node-count").inner_text())


def _wait_for_more_nodes(page: Any, than: int) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "n => Number(document.querySelector('#node-count').textContent) > n", arg=than
        )
    except PlaywrightTimeout:
        status = page.get_by_test_id("status").inner_text()
        pytest.fail(f"the graph did not grow past {than} nodes; status: {status!r}")


def _distinct_colours(png: bytes) -> tuple[int, float]:
    """How many distinct colours a screenshot has, and the share of its commonest one."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 24) or []
    total = image.width * image.height
    commonest = max(count for count, _ in colours)
    return len(colours), commonest / total


def test_explorer_end_to_end(page: Any, server: str, world: Neo4jStore, tmp_path: Path) -> None:
    foreign: list[str] = []
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: None if r.url.startswith((server, "data:", "blob:")) else foreign.append(r.url),
    )
    email, identity_id, shared_node, target = _shared_with_others(world)

    page.goto(f"{server}/ui")
    page.get_by_test_id("api-key").fill(INVESTIGATOR_KEY)
    page.get_by_test_id("api-key-save").click()

    # Search an identifier: the identity card, and the identity in the graph.
    page.get_by_test_id("search-type").select_option("email")
    page.get_by_test_id("search-value").fill(email.upper())  # raw formats are normalised
    page.get_by_test_id("search-button").click()
    page.get_by_test_id("identity-id").wait_for()
    assert page.get_by_test_id("identity-id").inner_text() == identity_id
    card = page.get_by_test_id("identity-card").inner_text()
    assert email in card and "confidence" in card and "risk" in card
    assert page.get_by_test_id("identity-identifiers").locator("tr").count() >= 1
    after_search = _node_count(page)
    assert after_search >= 2

    # Expand a shared identifier's node (another identity uses it too): a click selects
    # it on the canvas, Expand grows the graph.
    page.wait_for_function(
        "id => window.idgraphExplorer.cy.getElementById(id).nonempty()", arg=shared_node
    )
    position = page.evaluate(
        "id => window.idgraphExplorer.cy.getElementById(id).renderedPosition()", shared_node
    )
    box = page.get_by_test_id("graph").bounding_box()
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    page.wait_for_function(
        "id => window.idgraphExplorer.cy.getElementById(id).selected()", arg=shared_node
    )
    page.get_by_test_id("expand-button").click()
    _wait_for_more_nodes(page, after_search)
    after_expand = _node_count(page)
    assert after_expand > after_search

    # A path from the identity to one of the new nodes.
    assert page.evaluate("id => window.idgraphExplorer.cy.getElementById(id).nonempty()", target)
    page.evaluate(
        "id => { const cy = window.idgraphExplorer.cy; cy.$(':selected').unselect();"
        " cy.getElementById(id).select(); }",
        identity_node_id(identity_id),
    )
    page.get_by_test_id("mark-a").click()
    page.evaluate(
        "id => { const cy = window.idgraphExplorer.cy; cy.$(':selected').unselect();"
        " cy.getElementById(id).select(); }",
        target,
    )
    page.get_by_test_id("mark-b").click()
    page.get_by_test_id("path-button").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=status]').textContent.startsWith('path of')"
    )
    on_path = page.evaluate("() => window.idgraphExplorer.cy.$('node.path').map(n => n.id())")
    assert {identity_node_id(identity_id), target} <= set(on_path) and len(on_path) >= 3

    # Export the selected node's neighbourhood: a download, the API's JSON.
    with page.expect_download() as download:
        page.get_by_test_id("export-json").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert {n["id"] for n in exported["nodes"]} >= {target}

    # The ring list, and a ring: its detail and members in the graph.
    page.get_by_test_id("rings-load").click()
    page.get_by_test_id("ring-item").first.wait_for()
    rings = page.get_by_test_id("ring-item")
    assert rings.count() >= 1
    ring_id = rings.first.get_attribute("data-ring-id")
    assert ring_id and ring_id.startswith("ring_")
    before_ring = _node_count(page)
    rings.first.click()
    page.get_by_test_id("ring-detail").wait_for()
    assert ring_id in page.get_by_test_id("ring-detail").inner_text()
    members = page.get_by_test_id("ring-members").locator("tr")
    assert members.count() >= 2
    _wait_for_more_nodes(page, before_ring)
    risky = page.evaluate(
        "() => window.idgraphExplorer.cy.nodes(\"[kind = 'identity']\")"
        ".filter(n => (n.data('risk') || 0) > 0).length"
    )
    assert risky >= 2

    # Not blank: the graph is drawn in many colours, not one flat background.
    page.wait_for_timeout(300)
    shot = page.get_by_test_id("graph").screenshot()
    colours, flat = _distinct_colours(shot)
    assert colours >= 30, f"the graph screenshot has {colours} colours only"
    assert flat < 0.97, f"the graph screenshot is {flat:.0%} one colour"
    whole = page.screenshot(full_page=True)
    (tmp_path / "explorer.png").write_bytes(whole)  # kept by pytest, to look at
    assert _distinct_colours(whole)[0] >= 50

    assert not errors, errors
    assert not foreign, f"requests left the API's origin: {foreign[:3]}"
    status = page.get_by_test_id("status")
    assert "failed" not in status.inner_text()
