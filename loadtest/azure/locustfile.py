# Generated from loadtest/profile.json by tools/loadtest/generate.ts: edit the profile, then regenerate.
import os
from urllib.parse import quote

from locust import HttpUser, LoadTestShape, constant, task
from locust.exception import StopUser

# (seconds, target users): the user count moves linearly to each target, as k6 stages do.
PROFILES = {
    "seed": [(120, 100), (300, 100), (120, 200), (300, 200), (120, 0)],
    "smoke": [(10, 5), (20, 5), (5, 0)],
}
STAGES = PROFILES[os.environ.get("LOAD_PROFILE", "seed")]
REQUESTS = [
    ("book-search", "/api/books?search=architecture"),
    ("book-detail", "/api/books/{bookId}"),
]
# (name, path, variable, list, field): real ids for the {variable} of request paths, or None.
SETUP = ("book-list", "/api/books?pageSize=100", "bookId", "items", "id")


class BookstoreUser(HttpUser):
    host = os.environ.get("API_URL")
    wait_time = constant(1)

    def on_start(self):
        self.turn = 0
        self.ids = {}
        if SETUP is None:
            return
        name, path, variable, items, field = SETUP
        with self.client.get(path, name=name, catch_response=True) as response:
            listed = response.json().get(items) if response.status_code == 200 else None
            ids = [item.get(field) for item in listed or [] if item.get(field)]
            if not ids:
                response.failure(f"{name} listed no {items}: the requests need real ids")
                raise StopUser()
        self.ids[variable] = ids

    @task
    def next_request(self):
        name, path = REQUESTS[self.turn % len(REQUESTS)]
        self.turn += 1
        values = {key: quote(str(ids[self.turn % len(ids)]), safe="") for key, ids in self.ids.items()}
        self.client.get(path.format(**values), name=name)


class Stages(LoadTestShape):
    def tick(self):
        elapsed = self.get_run_time()
        start, users = 0, 0
        for duration, target in STAGES:
            if elapsed < start + duration:
                now = users + (target - users) * (elapsed - start) / duration
                # Spawn fast enough to follow the steepest ramp; tick() runs every second.
                return (round(now), max(1, abs(target - users) / duration * 2))
            start, users = start + duration, target
        return None
