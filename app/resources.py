"""Generic OrderCloud CRUD: List, Create, Get, Save (PUT, creates when missing), Patch and Delete
for a resource described once by a `ResourceSpec`. Specific behaviour plugs in through hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from litestar.handlers import HTTPRouteHandler
from sqlalchemy import ColumnElement

from app.auth.tokens import Caller
from app.catalog.rename import propagate_rename
from app.http import NO_CONTENT, Ctx, endpoint
from app.incrementors import id_or_next
from app.list_options import ListOptions, Schema, invalid_property, schema_of
from app.wire import Wire, check_id, id_or, merge_patch, to_doc, validate
from domain.clock import iso, utcnow
from domain.errors import Conflict, NotFound

Doc = dict[str, Any]
ScopeCheck = Callable[[Ctx, Caller], Awaitable[str]]
WriteHook = Callable[[Ctx, Caller, Doc, Doc | None, str], Awaitable[Doc]]
DeleteHook = Callable[[Ctx, Caller, Doc, str], Awaitable[None]]
Visible = Callable[[Ctx, Caller, str], Awaitable[Sequence[ColumnElement[bool]]]]
Present = Callable[[Ctx, Doc], Awaitable[Doc]]
ListConds = Callable[[Ctx, Caller, str, ListOptions], Awaitable[Sequence[ColumnElement[bool]]]]


def public(doc: Doc) -> Doc:
    """What callers see of a stored document: keys starting with `_` are server-private."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


async def top_level(ctx: Ctx, caller: Caller) -> str:
    return ""


@dataclass
class ResourceSpec:
    kind: str
    object_type: str
    path: str  # e.g. "/buyers/{buyerID}/users"
    id_param: str  # e.g. "userID"
    struct: type[Wire]
    read_roles: tuple[str, ...]
    write_roles: tuple[str, ...]
    readonly: tuple[str, ...] = ("DateCreated",)
    searchable: tuple[str, ...] = ("ID", "Name")
    sortable: tuple[str, ...] | None = None
    default_sort: tuple[str, ...] = ("ID",)
    scope: ScopeCheck = top_level
    visible: Visible | None = None
    on_write: WriteHook | None = None
    on_delete: DeleteHook | None = None
    uniq: Callable[[Doc], str | None] | None = None
    # Read-only fields computed when a document is shown (counts, names of linked resources).
    present: Present | None = None
    # Endpoint-specific list parameters (`userGroupID` on Users.List) and the conditions they add.
    list_params: tuple[str, ...] = ()
    list_conds: ListConds | None = None
    extra_filters: dict[str, Any] = field(default_factory=dict)
    # Secrets (ClientSecret, HashKey, CustomAuthHeaderValue): shown only to callers holding a
    # write role (the resource's *Admin, or FullAccess), null for readers, and not usable in a
    # reader's filters or sort (which would reveal them a character at a time).
    secret_fields: tuple[str, ...] = ()
    operations: tuple[str, ...] = ("list", "create", "get", "save", "patch", "delete")
    # How Create makes an ID when the body has none (default app.wire.new_id).
    id_factory: Callable[[], str] | None = None
    # xp filters also match array elements (app.list_options.Schema.xp_arrays).
    xp_arrays: bool = False
    _schema: Schema | None = None

    @property
    def schema(self) -> Schema:
        if self._schema is None:
            self._schema = schema_of(self.struct, extra=self.extra_filters or None, xp_arrays=self.xp_arrays)
        return self._schema

    def item_path(self) -> str:
        return f"{self.path}/{{{self.id_param}}}"


def normalize(spec: ResourceSpec, data: Doc, existing: Doc | None) -> Doc:
    """Validate a full document and make every field explicit; read-only fields keep the
    server's values (callers' values for them are ignored, as OrderCloud does)."""
    data = {k: v for k, v in data.items() if k not in spec.readonly and not k.startswith("_")}
    for name in spec.readonly:
        data[name] = existing.get(name) if existing else None
    doc: Doc = to_doc(validate(data, spec.struct))
    if existing:
        doc.update({k: v for k, v in existing.items() if k.startswith("_")})
    if "DateCreated" in doc and doc["DateCreated"] is None:
        doc["DateCreated"] = existing.get("DateCreated") if existing else iso(utcnow())
    return doc


async def load(
    ctx: Ctx, spec: ResourceSpec, caller: Caller, scope: str, id: str, *, lock: bool = False
) -> Doc:
    """The document as this caller may see it; absent or hidden by `spec.visible` is 404."""
    found = await ctx.docs.get(spec.kind, id, scope, lock=lock)
    if found is None or not await _visible(ctx, spec, caller, scope, id):
        raise NotFound(spec.object_type, id)
    return found.doc


async def _visible(ctx: Ctx, spec: ResourceSpec, caller: Caller, scope: str, id: str) -> bool:
    if spec.visible is None:
        return True
    conds = await spec.visible(ctx, caller, scope)
    return not conds or await ctx.docs.count(spec.kind, ctx.docs.id_is(id), *conds, scope=scope) > 0


async def _target(ctx: Ctx, spec: ResourceSpec) -> tuple[Caller, str, str]:
    """What every write on one item starts with: the caller (with a write role), its scope, the ID."""
    caller = await ctx.caller(*spec.write_roles)
    scope = await spec.scope(ctx, caller)
    return caller, scope, ctx.param(spec.id_param)


async def store(
    ctx: Ctx,
    spec: ResourceSpec,
    caller: Caller,
    scope: str,
    doc: Doc,
    existing: Doc | None,
    current_id: str | None,
) -> Doc:
    if existing is not None and current_id is not None and doc["ID"] != current_id:
        # Before `on_write`, which may count what names the document (a product's assignments).
        await propagate_rename(ctx.docs, spec.kind, scope, current_id, doc["ID"])
    if spec.on_write is not None:
        doc = await spec.on_write(ctx, caller, doc, existing, scope)
    uniq = spec.uniq(doc) if spec.uniq else None
    if existing is None:
        await ctx.docs.insert(spec.kind, doc, scope, uniq=uniq, object_type=spec.object_type)
    else:
        assert current_id is not None
        new_id_value = doc["ID"] if doc["ID"] != current_id else None
        # IDs are case-insensitive: a new spelling of the same ID is a rename to itself.
        taken = new_id_value is not None and new_id_value.lower() != current_id.lower()
        if taken and await ctx.docs.exists(spec.kind, doc["ID"], scope):
            raise Conflict(
                f"{spec.object_type} already exists: {new_id_value}",
                "IdExists",
                {"ObjectType": spec.object_type, "ObjectID": new_id_value},
            )
        await ctx.docs.replace(
            spec.kind, current_id, doc, scope, new_id=new_id_value, uniq=uniq if spec.uniq else False
        )
    return await shown(ctx, spec, doc, caller)


def sees_secrets(spec: ResourceSpec, caller: Caller | None) -> bool:
    return caller is not None and caller.has(*spec.write_roles)


def check_secret_options(spec: ResourceSpec, caller: Caller, opts: ListOptions) -> None:
    """A reader may not filter, search or sort on a secret: the answers would leak its value."""
    if not spec.secret_fields or sees_secrets(spec, caller):
        return
    secret = {f.lower() for f in spec.secret_fields}
    named = [k for k, _ in opts.filters] + [k.lstrip("!") for k in opts.sort_by] + list(opts.search_on or [])
    for name in named:
        if name.split(".")[0].lower() in secret:
            raise invalid_property(name)


async def shown(ctx: Ctx, spec: ResourceSpec, doc: Doc, caller: Caller | None = None) -> Doc:
    """A stored document as `caller` sees it (secrets null unless `sees_secrets`; without a
    caller they are always null)."""
    out = public(doc)
    if spec.secret_fields and not sees_secrets(spec, caller):
        out.update({f: None for f in spec.secret_fields if f in out})
    return await spec.present(ctx, out) if spec.present is not None else out


@dataclass(frozen=True)
class Listing:
    """A list endpoint that is not a `ResourceSpec`'s List (an order's payments, a return's
    approvals), described once: what it lists and how callers may search and sort it. Routes
    declare it; services supply the conditions (who sees what); `listing_page` runs it."""

    kind: str
    schema: Schema
    searchable: tuple[str, ...] = ("ID",)
    sortable: tuple[str, ...] | None = None
    default_sort: tuple[str, ...] = ("ID",)


async def listing_page(
    ctx: Ctx,
    listing: Listing,
    opts: ListOptions,
    *,
    conds: Sequence[ColumnElement[bool]] = (),
    scope: str | None = None,
    show: Callable[[Doc], Doc] = public,
) -> dict[str, Any]:
    """One page of `listing` (`scope` None: any scope), each item as `show` makes it."""
    page = await ctx.docs.page(
        listing.kind,
        opts,
        listing.schema,
        conds=conds,
        scope=scope,
        searchable=listing.searchable,
        sortable=listing.sortable,
        default_sort=listing.default_sort,
    )
    page.items[:] = [show(d) for d in page.items]
    return page.wire()


async def page_of(
    ctx: Ctx,
    spec: ResourceSpec,
    caller: Caller,
    opts: ListOptions,
    conds: Sequence[ColumnElement[bool]] = (),
    scope: str = "",
) -> dict[str, Any]:
    """One page of `spec` documents matching `conds` (and the spec's own list parameters), as
    `caller` sees them: the generic List, and lists of the same resource under another path."""
    conds = list(conds)
    if spec.list_conds is not None:
        conds.extend(await spec.list_conds(ctx, caller, scope, opts))
    page = await ctx.docs.page(
        spec.kind,
        opts,
        spec.schema,
        conds=conds,
        scope=scope,
        searchable=spec.searchable,
        sortable=spec.sortable,
        default_sort=spec.default_sort,
    )
    page.items[:] = [await shown(ctx, spec, d, caller) for d in page.items]
    return page.wire()


def crud(spec: ResourceSpec) -> list[HTTPRouteHandler]:
    """The standard endpoints for `spec`, in OrderCloud's shapes and status codes."""
    handlers: list[HTTPRouteHandler] = []
    ops = set(spec.operations)

    if "list" in ops:

        @endpoint("GET", spec.path)
        async def list_items(ctx: Ctx) -> Any:
            caller = await ctx.caller(*spec.read_roles)
            scope = await spec.scope(ctx, caller)
            conds = list(await spec.visible(ctx, caller, scope)) if spec.visible else []
            opts = ctx.list_options(params=spec.list_params)
            check_secret_options(spec, caller, opts)
            return await page_of(ctx, spec, caller, opts, conds, scope)

        handlers.append(list_items)

    if "create" in ops:

        @endpoint("POST", spec.path)
        async def create(ctx: Ctx) -> Any:
            caller = await ctx.caller(*spec.write_roles)
            scope = await spec.scope(ctx, caller)
            data = await ctx.body_object()
            data["ID"] = await id_or_next(ctx.docs, data, spec.id_factory)
            doc = normalize(spec, data, None)
            return await store(ctx, spec, caller, scope, doc, None, None)

        handlers.append(create)

    if "get" in ops:

        @endpoint("GET", spec.item_path())
        async def get(ctx: Ctx) -> Any:
            caller = await ctx.caller(*spec.read_roles)
            scope = await spec.scope(ctx, caller)
            doc = await load(ctx, spec, caller, scope, ctx.param(spec.id_param))
            return await shown(ctx, spec, doc, caller)

        handlers.append(get)

    if "save" in ops:

        @endpoint("PUT", spec.item_path())
        async def save(ctx: Ctx) -> Any:
            caller, scope, current_id = await _target(ctx, spec)
            stored = await ctx.docs.get(spec.kind, current_id, scope, lock=True)
            if stored is not None and not await _visible(ctx, spec, caller, scope, current_id):
                raise NotFound(spec.object_type, current_id)
            existing = stored.doc if stored is not None else None
            current_id = existing["ID"] if existing is not None else current_id  # stored spelling
            data = await ctx.body_object()
            data["ID"] = id_or(data, current_id)
            doc = normalize(spec, data, existing)
            if existing is None:
                # PUT creates what does not exist yet, answering 200 as OrderCloud does.
                return await store(ctx, spec, caller, scope, doc, None, None), 200
            return await store(ctx, spec, caller, scope, doc, existing, current_id)

        handlers.append(save)

    if "patch" in ops:

        @endpoint("PATCH", spec.item_path())
        async def patch(ctx: Ctx) -> Any:
            caller, scope, current_id = await _target(ctx, spec)
            existing = await load(ctx, spec, caller, scope, current_id, lock=True)
            current_id = existing["ID"]  # the stored spelling, whatever case the path used
            changes = {k: v for k, v in (await ctx.body_object()).items() if k not in spec.readonly}
            if "ID" in changes:
                check_id(changes["ID"])
            doc = normalize(spec, merge_patch(public(existing), changes), existing)
            return await store(ctx, spec, caller, scope, doc, existing, current_id)

        handlers.append(patch)

    if "delete" in ops:

        @endpoint("DELETE", spec.item_path())
        async def remove(ctx: Ctx) -> Any:
            caller, scope, current_id = await _target(ctx, spec)
            existing = await load(ctx, spec, caller, scope, current_id, lock=True)
            if spec.on_delete is not None:
                await spec.on_delete(ctx, caller, existing, scope)
            await ctx.docs.delete(spec.kind, existing["ID"], scope)
            return NO_CONTENT, 204

        handlers.append(remove)

    return handlers
