"""mutmut 3 mutant names -> module, class, function (docs/mutmut-internals.md, "Mutant names").

Shape: `<module>.<mangled>__mutmut_<N>` with mangled `x_<func>` or `xǁ<Class>ǁ<method>`.
"""

from __future__ import annotations

from dataclasses import dataclass

CLASS_SEP = "ǁ"


@dataclass(frozen=True)
class MutantName:
    module: str
    cls: str | None
    function: str
    number: int
    mangled: str  # the key inside the trampoline's mutant dict, e.g. `x_f__mutmut_3`

    @property
    def qualname(self) -> str:
        return f"{self.cls}.{self.function}" if self.cls else self.function

    @property
    def orig_name(self) -> str:
        """The name of mutmut's untouched copy: `x_f__mutmut_orig` / `xǁCǁm__mutmut_orig`
        (the witness search compares it with the mutant's copy to find the mutation site)."""
        return self.mangled.rpartition("__mutmut_")[0] + "__mutmut_orig"


def parse_mutant_name(name: str) -> MutantName:
    """Parse a mutmut mutant name; ValueError for anything else."""
    prefix, sep, number = name.rpartition("__mutmut_")
    if not sep or not number.isdigit():
        raise ValueError(f"not a mutmut mutant name: {name!r}")
    module, dot, mangled = prefix.rpartition(".")
    if not dot or not module:
        raise ValueError(f"mutant name without a module: {name!r}")
    if mangled.startswith("x" + CLASS_SEP):
        parts = mangled[2:].split(CLASS_SEP)
        if len(parts) != 2 or not all(parts):
            raise ValueError(f"unexpected method mutant name: {name!r}")
        cls, function = parts
    elif mangled.startswith("x_"):
        cls, function = None, mangled[2:]
    else:
        raise ValueError(f"unexpected mangled function in mutant name: {name!r}")
    return MutantName(
        module=module,
        cls=cls,
        function=function,
        number=int(number),
        mangled=f"{mangled}__mutmut_{number}",
    )
