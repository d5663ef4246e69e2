# Build step: turns a text file into a C header that defines it as one string,
#   cmake -DINPUT=file -DOUTPUT=header.h -DNAME=c_identifier -P embed-text.cmake
# (the flame graph page, written into every HTML export; the probe headers
# that wprof run writes beside each module it compiles).
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){24})" "\\1\n  " bytes "${bytes}")
file(WRITE "${OUTPUT}" "/* Generated from ${INPUT} by embed-text.cmake: do not edit. */\n"
                       "static const char ${NAME}[] = {\n  ${bytes}0x00};\n")
