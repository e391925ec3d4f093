"""GitHub REST payloads for repository settings (environments, branch protection), shaped as
GitHub's REST docs show them; apart from `github_payloads` to keep each file small."""

from __future__ import annotations

from typing import Any

from github_payloads import API, FULL, T0, WEB, user


def environment(name: str, eid: int = 1, *, reviewers: bool = False) -> dict[str, Any]:
    """An environment; every one carries a branch policy, `reviewers` adds required reviewers."""
    rules: list[dict[str, Any]] = [
        {"id": eid * 10, "node_id": f"GA_{eid}0", "type": "wait_timer", "wait_timer": 0},
        {"id": eid * 10 + 1, "node_id": f"GA_{eid}1", "type": "branch_policy"},
    ]
    if reviewers:
        rules.append(
            {
                "id": eid * 10 + 2,
                "node_id": f"GA_{eid}2",
                "prevent_self_review": True,
                "type": "required_reviewers",
                "reviewers": [{"type": "User", "reviewer": user("maintainer", 7)}],
            }
        )
    return {
        "id": eid,
        "node_id": f"EN_{eid}",
        "name": name,
        "url": f"{API}/repos/{FULL}/environments/{name}",
        "html_url": f"{WEB}/{FULL}/deployments/activity_log?environments_filter={name}",
        "created_at": T0,
        "updated_at": T0,
        "protection_rules": rules,
        "deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True},
    }


def environments(*items: dict[str, Any]) -> dict[str, Any]:
    return {"total_count": len(items), "environments": list(items)}


def status_checks(
    branch: str, contexts: list[str], checks: list[str], *, strict: bool = True
) -> dict[str, Any]:
    """Required status checks: the legacy `contexts` list and `checks` (any app: app_id null)."""
    url = f"{API}/repos/{FULL}/branches/{branch}/protection/required_status_checks"
    return {
        "url": url,
        "strict": strict,
        "contexts": contexts,
        "checks": [{"context": name, "app_id": None} for name in checks],
        "contexts_url": f"{url}/contexts",
    }
