"""Arrow schemas derived from the table declarations in `schema`."""

from __future__ import annotations

from typing import assert_never

import pyarrow as pa

from chatlift.domain.schema import Column, ColumnType, Table


def arrow_type(column_type: ColumnType) -> pa.DataType:
    """The Arrow type that holds a value of ``column_type``; timestamps are UTC without zone."""
    match column_type:
        case ColumnType.ID | ColumnType.TEXT:
            return pa.string()
        case ColumnType.TIMESTAMP:
            return pa.timestamp("us")
        case ColumnType.MONEY | ColumnType.NUMBER:
            return pa.float64()
        case ColumnType.INTEGER:
            return pa.int64()
        case ColumnType.BOOLEAN:
            return pa.bool_()
        case ColumnType.TEXT_LIST:
            return pa.list_(pa.string())
        case _:
            assert_never(column_type)


def arrow_field(column: Column) -> pa.Field:
    return pa.field(column.name, arrow_type(column.type), nullable=not column.required)


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema of ``table``, columns in declaration order."""
    return pa.schema([arrow_field(c) for c in table.columns])
