"""Plan every page of the site, then render each plan with its template.

A plan is decided before anything renders (its URL, template and view), so every link is known
up front and two pages claiming one URL are reported instead of overwriting each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sitegen.diagnostics import Diagnostic
from sitegen.model.site import Site
from sitegen.render.articles import RenderedArticle
from sitegen.render.templates import TemplateSet
from sitegen.render.views import article_view, site_view


@dataclass(frozen=True, slots=True)
class PagePlan:
    url_path: str
    template: str
    context: dict[str, Any]
    source: str
    """The file this page comes from (an article's path), or what made it ("home page")."""


def plan_pages(site: Site, rendered: dict[str, RenderedArticle]) -> list[PagePlan]:
    config = site.config
    common = {"site": site_view(config)}
    views = [article_view(config, a, rendered[a.key]) for a in site.articles if a.key in rendered]
    plans = [PagePlan(view.url.removeprefix(config.base_path), "article.html", {**common, "article": view}, article.path)
             for article, view in zip((a for a in site.articles if a.key in rendered), views)]
    plans.append(PagePlan("", "home.html", {**common, "articles": views}, "home page"))
    return plans


def render_page(plan: PagePlan, templates: TemplateSet) -> tuple[bytes | None, list[Diagnostic]]:
    html, problems = templates.render(plan.template, plan.context, "/" + plan.url_path)
    return (html.encode("utf-8") if html is not None else None), problems
