"""The people of a shared desk, for admins (``/api/users``; :mod:`tm.web.security` lets only
admins in): list, add (the token is in the reply, once), remove, new token."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from tm.web.backend import Backend
from tm.web.common import backend

router = APIRouter(prefix="/api/users", tags=["people"])
B = Annotated[Backend, Depends(backend)]


class UserOut(BaseModel):
    name: str
    role: str
    created: str
    created_by: str | None = None


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: Literal["reader", "translator", "admin"] = "translator"


class TokenOut(BaseModel):
    name: str
    token: str = Field(description="shown once: the memory keeps only its hash")


@router.get("", response_model=list[UserOut])
def people(b: B) -> list[UserOut]:
    """Everyone with a token, and their role."""
    with b.lease() as tm:
        return [UserOut(name=u.name, role=u.role, created=u.created, created_by=u.created_by)
                for u in tm.users()]


@router.post("", response_model=TokenOut)
def add(b: B, body: UserIn) -> TokenOut:
    """Add a person; their token is in the reply (only its hash is kept)."""
    with b.lease() as tm:
        return TokenOut(name=body.name.strip(), token=tm.add_user(body.name, body.role))


@router.delete("/{name}")
def remove(b: B, name: str) -> dict[str, str]:
    """Remove a person (their token stops working at once)."""
    with b.lease() as tm:
        tm.remove_user(name)
    return {"removed": name}


@router.post("/{name}/token", response_model=TokenOut)
def token(b: B, name: str) -> TokenOut:
    """A new token for a person (the old one stops working)."""
    with b.lease() as tm:
        return TokenOut(name=name, token=tm.new_token(name))
