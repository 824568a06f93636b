"""The folder the README's collect-mpep and --import transcripts were made in, made again.

A Dutch and a German Space are rendered with generate-space and run for real (password
login); the people of the README act through the API: alice, bob and carol translate, rita
reviews (rejects carol's translation of prompt 956, corrects bob's new one while approving
it), carol flags a prompt, one translation waits for review; anna translates two German
prompts. `backup-nl` is a copy of the Dutch data dir whose last line is torn. The model
outputs and the partial Argilla export come from tests/data/readme_demo/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import client

from bench.common import Server, hermetic_env

DATA = Path(__file__).parent / "data" / "readme_demo"
USERS = ("alice", "bob", "carol", "rita", "anna")
Clients = dict[str, Any]

BAKERY = (
    "Een bakkerij verkoopt croissants voor $2.35 per stuk en muffins voor $1.80 per stuk. Op "
    "zaterdag verkocht ze 412 croissants en 275 muffins. Wat was de totale omzet, en welk "
    "percentage daarvan kwam van de croissants? Laat je berekening zien."
)
EQUATIONS = (
    "Los op voor x en y:\n\n3x + 2y = 16\n5x - y = 18\n\nControleer daarna je antwoord door de "
    "waarden in beide vergelijkingen in te vullen."
)
SAVINGS = (
    "Ik heb 1.250,75 euro op een spaarrekening gezet {rate}. Hoeveel heb ik na 5 jaar als ik "
    "niets stort of opneem? Rond af op de cent."
)
DICE = (
    "Er worden twee eerlijke zeszijdige dobbelstenen gegooid. Wat is de kans dat de som minstens "
    "10 is? Leg daarna uit hoe het antwoord verandert als bekend is dat een van de dobbelstenen "
    "een 6 toont."
)
TRAINS = (
    "Een trein vertrekt om 08:15 uit stad A met 96,5 km/u. Een tweede trein vertrekt om 09:45 "
    "uit stad B, verderop, richting stad A met 112 km/u. Hoe laat ontmoeten ze elkaar, en hoe "
    "ver van stad A?"
)


def _translate(c: Clients, user: str, text: str) -> str:
    prompt = c[user].predict(api_name="/next_prompt")
    return str(
        c[user].predict(prompt["prompt_id"], text, api_name="/submit_translation")["translation_id"]
    )


def _review(
    c: Clients, translation: str, verdict: str = "approve", comment: str = "", edit: str = ""
) -> None:
    c["rita"].predict(translation, verdict, comment, edit, api_name="/submit_review")


def _dutch(c: Clients) -> None:
    bakery, equations = _translate(c, "alice", BAKERY), _translate(c, "bob", EQUATIONS)
    monthly = _translate(c, "carol", SAVINGS.format(rate="die 3,2% rente per maand geeft"))
    _review(c, bakery)
    _review(c, equations)
    _review(c, monthly, "reject", "De rente is 3,2% per jaar, maandelijks bijgeschreven.")
    yearly = _translate(
        c, "bob", SAVINGS.format(rate="die 3,2% rente per jaar betaalt, maandelijks bijgeschreven")
    )
    _review(
        c, yearly, edit=SAVINGS.format(rate="met 3,2% rente per jaar, maandelijks bijgeschreven")
    )
    _review(c, _translate(c, "carol", DICE))
    _translate(c, "alice", TRAINS)
    flagged = c["carol"].predict(api_name="/next_prompt")
    reason = "De code en de commentaren moeten Engels blijven; wat valt er te vertalen?"
    c["carol"].predict(flagged["prompt_id"], reason, api_name="/flag")


def _german(c: Clients) -> None:
    bakery = _translate(
        c,
        "anna",
        "Eine Bäckerei verkauft Croissants für $2.35 pro Stück und Muffins für $1.80 pro Stück. "
        "Am Samstag verkaufte sie 412 Croissants und 275 Muffins. Wie hoch war der Gesamtumsatz, "
        "und welcher Anteil davon kam von den Croissants? Zeige deinen Rechenweg.",
    )
    equations = _translate(
        c,
        "anna",
        "Löse nach x und y auf:\n\n3x + 2y = 16\n5x - y = 18\n\nÜberprüfe dann deine Antwort, "
        "indem du die Werte in beide Gleichungen einsetzt.",
    )
    _review(c, bakery)
    _review(c, equations)


def _run_space(root: Path, lang: str, users: Path, steps: Callable[[Clients], None]) -> None:
    folder = root / f"mpep-{lang}"
    generate = Path(sys.executable).with_name("generate-space")
    subprocess.run(
        [str(generate), "--lang", lang, "--prompts", "sample", "--out", folder.name],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=120,
    )
    env = hermetic_env(root / ".demo-env", MPEP_USERS=str(users), MPEP_REVIEWERS="rita")
    with Server([sys.executable, "app.py"], folder, env, root / f".{folder.name}.log") as server:
        server.start(timeout=120)
        steps({user: client(server.url, user) for user in USERS})


def _torn_backup(root: Path) -> None:
    """A copy of the Dutch data dir whose last event line was cut in half."""
    backup = root / "backup-nl"
    shutil.copytree(root / "mpep-nl" / "data", backup)
    (log,) = (backup / "events").glob("*.jsonl")
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])


def build(root: Path) -> Path:
    users = root / ".users.txt"
    users.write_text("".join(f"{u}:{u}-pw\n" for u in USERS))
    _run_space(root, "nl", users, _dutch)
    _run_space(root, "de", users, _german)
    _torn_backup(root)
    for name in ("argilla-nl.jsonl", "model-a.json", "model-b.json", "model-c.json"):
        shutil.copyfile(DATA / name, root / name)
    return root
