"""ordercore's own OpenAPI 3 document, generated from the routes the app actually registers.

Each registered operation is described in one of three ways, in this order:
1. OrderCloud's published document (`ordercloud-openapi.json.gz`, v1.0.239, shipped in the
   package) has it: its operation is copied as is (operation ID, tags, parameters, request and
   response schemas, security roles), under OrderCloud's own path spelling.
2. OrderCloud's SDK 12 has it but the published document is older (`/cart/...`,
   `/apiclients/{id}/secrets`, ...): the SDK's operation ID (`Cart.Get`), the schemas of the
   OrderCloud operation it mirrors (`/cart/x` mirrors `/orders/{direction}/{orderID}/x`).
3. Neither: an ordercore extension (channels, webhook delivery log, health, ...), described in
   `app.contract.extensions` and marked `x-ordercore-extension: true`.

OrderCloud's React SDK caches the document and refetches it when `/env`'s `BuildNumber` differs
from `info.version`, so the version's fourth part is a digest of the document's content: any
change to what ordercore serves makes clients refetch it.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Litestar

from app.contract.extensions import EXTENSIONS, Extension, extension_components

HERE = Path(__file__).parent
OFFICIAL_FILE = HERE / "ordercloud-openapi.json.gz"
SDK_FILE = HERE / "ordercloud-sdk-endpoints.txt"
VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_SDK_LINE = re.compile(r"^(\w+\.\w+)\(.*\) -> (GET|POST|PUT|PATCH|DELETE) (\S+)$")
_REF = re.compile(r'"\$ref": "#/components/schemas/([^"]+)"')

Doc = dict[str, Any]


@dataclass(frozen=True)
class Served:
    """One registered operation: its verb and path as the app serves it (`/v1/...` or root)."""

    verb: str
    path: str

    @property
    def under_v1(self) -> bool:
        return self.path.startswith("/v1/")

    @property
    def relative(self) -> str:
        """The path relative to its server (`/v1` for the API, the host root otherwise)."""
        return self.path[3:] if self.under_v1 else self.path


def shape(path: str) -> str:
    """A path's matching key: static segments lower-cased (ordercore matches them in any case),
    parameters anonymous (OrderCloud and ordercore may name them differently)."""
    return "/".join("{}" if s.startswith("{") else s.lower() for s in path.strip("/").split("/"))


@cache
def official() -> Doc:
    with gzip.open(OFFICIAL_FILE, "rt", encoding="utf-8") as fh:
        doc: Doc = json.load(fh)
    return doc


@cache
def _official_index() -> dict[tuple[str, str], tuple[str, Doc]]:
    index: dict[tuple[str, str], tuple[str, Doc]] = {}
    for path, item in official()["paths"].items():
        for verb, op in item.items():
            index[(verb.upper(), shape(path))] = ("/" + path.lstrip("/"), op)
    return index


@cache
def _sdk_index() -> dict[tuple[str, str], tuple[str, str]]:
    index: dict[tuple[str, str], tuple[str, str]] = {}
    for line in SDK_FILE.read_text(encoding="utf-8").splitlines():
        m = _SDK_LINE.match(line.strip())
        if m:
            op_id, verb, path = m.groups()
            index[(verb, shape(path))] = (op_id, path)
    return index


def served_operations(app: Litestar) -> list[Served]:
    """Every (verb, path) the app answers, HEAD/OPTIONS aside, in a stable order; pages kept out
    of the document (`include_in_schema=False`: the seller console) are not API operations."""
    found: set[Served] = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.include_in_schema is False:
                continue
            for verb in handler.http_methods:
                if verb in VERBS:
                    found.add(Served(verb, _plain_path(route.path, handler.name, verb)))
    return sorted(found, key=lambda s: (s.path.lower(), VERBS.index(s.verb)))


def _plain_path(route_path: str, name: str | None, verb: str) -> str:
    """`app.http.endpoint` names its handlers `VERB /OrderCloud/path` (original casing): prefer
    that spelling; other handlers give their Litestar path (`{kid:str}` -> `{kid}`)."""
    if name and name.startswith(f"{verb} /") and route_path.lower().startswith("/v1/"):
        return "/v1" + name.split(" ", 1)[1]
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", route_path)


def build(app: Litestar, base_url: str) -> Doc:
    """The document for `app`, its servers pointing at `base_url`."""
    src = official()
    paths: dict[str, Doc] = {}
    components: Doc = {}
    for served in served_operations(app):
        path_key, op, extra_components = _describe(served)
        item = paths.setdefault(path_key, {})
        if not served.under_v1:
            # Auth and the operational routes live at the host root, not under /v1.
            item["servers"] = [{"url": base_url}]
        item[served.verb.lower()] = op
        components.update(extra_components)
    schemas = _referenced_schemas(paths, src["components"]["schemas"], components)
    tags = _tags(paths, src.get("tags", []))
    doc: Doc = {
        "openapi": "3.0.1",
        "info": {
            "title": "ordercore",
            "description": (
                "ordercore speaks the Sitecore OrderCloud v1 API. Operations OrderCloud defines carry "
                "OrderCloud's operation IDs, schemas and roles; ordercore's own additions are marked "
                "`x-ordercore-extension: true`."
            ),
            "version": "",
            "x-ordercloud-version": src["info"]["version"],
        },
        "servers": [{"url": f"{base_url}/v1", "description": "ordercore API"}],
        "tags": tags,
        "components": {"securitySchemes": _security_schemes(base_url), "schemas": schemas},
        "paths": paths,
    }
    doc["info"]["version"] = build_number(doc)
    return doc


def build_number(doc: Doc) -> str:
    """OrderCloud's four-part version: its document's first three parts (the contract ordercore
    follows) and a digest of this document's content (servers aside, so it does not depend on the
    host it is served from)."""
    major_minor_patch = ".".join(official()["info"]["version"].split(".")[:3])
    # Servers and token URLs name the host; the digest must not (every host serves one contract).
    content = {k: v for k, v in doc.items() if k not in ("servers", "info", "components")}
    content["schemas"] = doc["components"]["schemas"]
    content["paths"] = {
        p: {k: v for k, v in item.items() if k != "servers"} for p, item in doc["paths"].items()
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).digest()
    return f"{major_minor_patch}.{int.from_bytes(digest[:4], 'big') % 100000}"


def _describe(served: Served) -> tuple[str, Doc, Doc]:
    """(path key, operation, schemas it adds) for one served operation."""
    key = (served.verb, shape(served.relative))
    ext = EXTENSIONS.get(f"{served.verb} {served.path}")
    if ext is not None:
        return served.relative, _extension_operation(served, ext), extension_components()
    if key in _official_index():
        path_key, op = _official_index()[key]
        return path_key, repaired(op), {}
    if served.under_v1 and key in _sdk_index():
        op_id, sdk_path = _sdk_index()[key]
        return sdk_path, _sdk_operation(served.verb, sdk_path, op_id), {}
    # Served but described nowhere yet: listed rather than failing the whole document
    # (tests/api/test_openapi.py fails until it is described in app.contract.extensions).
    undescribed: Doc = {
        "operationId": f"Ordercore.Undescribed {served.verb} {served.path}",
        "tags": ["Undescribed"],
        "parameters": _path_parameters(served.path),
        "responses": {"200": {"description": ""}},
        "x-ordercore-extension": True,
        "x-ordercore-undescribed": True,
    }
    return served.relative, undescribed, {}


def _sdk_operation(verb: str, sdk_path: str, op_id: str) -> Doc:
    """An operation OrderCloud's SDK has and its published document lacks: the SDK's ID, the
    schemas of the OrderCloud operation it mirrors, the roles of the caller it serves."""
    template = _template_for(verb, sdk_path, op_id)
    resource = op_id.split(".")[0]
    op: Doc = {
        "operationId": op_id,
        "tags": [_tag_of(resource)],
        "summary": (template or {}).get("summary", op_id),
        "parameters": _path_parameters(sdk_path),
        "responses": {"204" if verb == "DELETE" else "200": {"description": ""}},
        "x-ordercore-source": "ordercloud-sdk",
    }
    if template is not None:
        op["parameters"] += [p for p in template.get("parameters", []) if p.get("in") != "path"]
        for part in ("requestBody", "responses", "security"):
            if part in template:
                op[part] = repaired(template[part])
    if sdk_path.startswith(("/cart", "/me/")):
        # The cart and the /me routes are the signed-in buyer user's.
        op["security"] = [{"OAuth2": ["Shopper"]}]
    if op_id in PUBLIC_SDK_OPERATIONS:
        # Open to anyone (no token), answered 204; the SDK sends its list options as the query.
        op["security"] = [{"OAuth2": []}]
        op["responses"] = {"204": {"description": ""}}
        op["parameters"] += [
            {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
            for name in PUBLIC_SDK_OPERATIONS[op_id]
        ]
    op.setdefault("security", [{"OAuth2": ["FullAccess"]}])
    return op


# SDK-only operations that need no token, with the query parameters the SDK sends.
PUBLIC_SDK_OPERATIONS = {"ForgottenCredentials.RetrieveUsername": ("clientID", "email")}


def repaired(node: Any) -> Any:
    """A deep copy of part of OrderCloud's document, minus the few spots where it breaks
    OpenAPI 3.0 itself (so validators and clients load ours): `enum: []` (searchOn of lists
    with no searchable field) and `default: null` on a property that is not nullable."""
    if isinstance(node, dict):
        out = {k: repaired(v) for k, v in node.items() if not (k == "enum" and v == [])}
        if "default" in out and out["default"] is None and not out.get("nullable"):
            del out["default"]
        return out
    if isinstance(node, list):
        return [repaired(v) for v in node]
    return node


def _path_parameters(path: str) -> list[Doc]:
    return [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
        for p in re.findall(r"\{(\w+)\}", path)
    ]


# SDK-only operations whose answers have the shape of a published operation elsewhere.
SAME_SHAPE_AS = {
    "Users.ListAcrossBuyers": "Users.List",
    "Orders.ListEligiblePromotions": "Promotions.List",
    "Cart.ListEligiblePromotions": "Promotions.List",
}


@cache
def _official_by_id() -> dict[str, Doc]:
    return {op["operationId"]: op for _, op in _official_index().values()}


def _template_for(verb: str, sdk_path: str, op_id: str) -> Doc | None:
    """The published operation an SDK-only one mirrors: `/cart/x` is the current user's
    `/orders/{direction}/{orderID}/x`; `/me/products/...` mirrors `/products/...`."""
    if op_id in SAME_SHAPE_AS:
        return _official_by_id()[SAME_SHAPE_AS[op_id]]
    path = shape(sdk_path)
    candidates = []
    if path == "cart" or path.startswith("cart/"):
        candidates.append("orders/{}/{}" + path[4:])
    if path.startswith("me/products/"):
        candidates.append(path[3:])
    for candidate in candidates:
        found = _official_index().get((verb, candidate))
        if found is not None:
            return found[1]
    return None


@cache
def _official_tags_by_resource() -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in official()["paths"].values():
        for op in item.values():
            tags.setdefault(op["operationId"].split(".")[0], op["tags"][0])
    return tags


def _tag_of(resource: str) -> str:
    return _official_tags_by_resource().get(resource, resource)


def _extension_operation(served: Served, ext: Extension) -> Doc:
    op: Doc = {
        "operationId": ext.operation_id,
        "tags": [ext.tag],
        "summary": ext.summary,
        "description": ext.description,
        "parameters": _path_parameters(served.path) + copy.deepcopy(ext.query),
        "responses": {str(ext.status): {"description": ext.response_description}},
        "security": [{"OAuth2": list(ext.roles)}] if ext.roles is not None else [],
        "x-ordercore-extension": True,
    }
    if ext.response is not None:
        content_type = ext.response_type
        op["responses"][str(ext.status)]["content"] = {content_type: {"schema": copy.deepcopy(ext.response)}}
    if ext.request is not None:
        op["requestBody"] = {
            "required": True,
            "content": {ext.request_type: {"schema": copy.deepcopy(ext.request)}},
        }
    return op


def _referenced_schemas(paths: Doc, official_schemas: Doc, own: Doc) -> Doc:
    """Only the component schemas the operations reach (transitively)."""
    available = {**official_schemas, **own}
    wanted: set[str] = set()
    todo = set(_REF.findall(json.dumps(paths)))
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        todo |= set(_REF.findall(json.dumps(available[name])))
    return {name: repaired(available[name]) for name in sorted(wanted)}


def _tags(paths: Doc, official_tags: Iterable[Doc]) -> list[Doc]:
    used: list[str] = []
    for item in paths.values():
        for verb, op in item.items():
            if verb != "servers":
                used.extend(t for t in op.get("tags", []) if t not in used)
    known = {t["name"]: t for t in official_tags}
    return [copy.deepcopy(known.get(name, {"name": name, "description": ""})) for name in used]


def _security_schemes(base_url: str) -> Doc:
    """OrderCloud's OAuth2 scheme (its role names as scopes), with ordercore's token URL."""
    scheme = copy.deepcopy(official()["components"]["securitySchemes"])
    for flow in scheme["OAuth2"]["flows"].values():
        flow["tokenUrl"] = f"{base_url}/oauth/token"
    return dict(scheme)
