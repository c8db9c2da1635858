package dev.loupe.dwarf.godwarf;

/**
 * A struct field ({@code DW_TAG_member}).
 *
 * @param name     its name ("_" for blank fields)
 * @param type     its type
 * @param offset   its byte offset in the struct ({@code DW_AT_data_member_location})
 * @param embedded true for an embedded field ({@code DW_AT_go_embedded_field})
 */
public record Field(String name, TypeRef type, long offset, boolean embedded) {}
