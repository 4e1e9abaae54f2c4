# Generated from loadtest/profile.json by tools/loadtest/generate.ts: edit the profile, then regenerate.
import os

from locust import HttpUser, LoadTestShape, constant, task

# (seconds, target users): the user count moves linearly to each target, as k6 stages do.
PROFILES = {
    "seed": [(120, 100), (300, 100), (120, 200), (300, 200), (120, 0)],
    "smoke": [(10, 5), (20, 5), (5, 0)],
}
STAGES = PROFILES[os.environ.get("LOAD_PROFILE", "seed")]
REQUESTS = [
    ("book-search", "/api/books/search?query=architecture"),
    ("book-detail", "/api/books/123e4567-e89b-12d3-a456-426614174000"),
]


class BookstoreUser(HttpUser):
    host = os.environ.get("TARGET_URL")
    wait_time = constant(1)

    def on_start(self):
        self.turn = 0

    @task
    def next_request(self):
        name, path = REQUESTS[self.turn % len(REQUESTS)]
        self.turn += 1
        self.client.get(path, name=name)


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
