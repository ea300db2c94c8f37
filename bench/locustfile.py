"""The role mix for locust (headless, a constant rate); started by ``bench/run``.

``BENCH_MIX_FILE`` names a JSON file: ``{"rate": total req/s, "roles": {name: {"share": 0.35,
"users": 4, "cookie": "...", "paths": [...]}}}``. Each role becomes a user class with a fixed
number of users, each at a constant throughput, so that the role's share of the total rate
holds: social workers 35 %, student health 25 %, teachers 15 %, principals and managers 10 %,
board 5 %, survey answers 10 % (PERFORMANCE.md). Each user cycles through its role's paths
with the role's logged-in session cookie (the runner logged in once per role; a login per
simulated user would hit the login rate limit).
"""

import itertools
import json
import os
import random
from typing import Any

from locust import FastHttpUser, constant_throughput, task


def _role_class(name: str, role: dict[str, Any], rate: float) -> type:
    per_user = rate * role["share"] / role["users"]
    headers = {"X-Forwarded-Proto": "https", "Accept-Language": "sv"}
    if role.get("cookie"):
        headers["Cookie"] = role["cookie"]
    paths = list(role["paths"])

    class RoleUser(FastHttpUser):
        fixed_count = role["users"]
        wait_time = constant_throughput(per_user)

        def on_start(self) -> None:
            # Each user starts at its own place in the role's paths.
            start = random.randrange(len(paths))
            self.paths = itertools.cycle(paths[start:] + paths[:start])

        @task
        def visit(self) -> None:
            path = next(self.paths)
            with self.client.get(
                path, headers=headers, name=f"{name}", catch_response=True, allow_redirects=False
            ) as answer:
                if answer.status_code not in (200, 302):
                    answer.failure(f"{path}: {answer.status_code}")

    RoleUser.__name__ = f"{name.title().replace('_', '')}User"
    return RoleUser


_mix_file = os.environ.get("BENCH_MIX_FILE")
if _mix_file:
    _mix = json.loads(open(_mix_file).read())  # noqa: SIM115
    for _name, _role in _mix["roles"].items():
        globals()[f"{_name}_user"] = _role_class(_name, _role, float(_mix["rate"]))
