# Compile options shared by every target of the project.
add_library(hs_options INTERFACE)
target_compile_options(hs_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                            -Wno-sign-conversion)
if(HS_WERROR)
  target_compile_options(hs_options INTERFACE -Werror)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # libstdc++ 12 guards <expected> behind __cpp_concepts >= 202002L, which clang 16
  # implements but does not advertise yet.
  target_compile_options(hs_options INTERFACE -Wno-macro-redefined -D__cpp_concepts=202002L)
endif()
if(HS_SANITIZE)
  # _GLIBCXX_ASSERTIONS: the standard library checks its preconditions too
  # (error() of an expected holding a value, an index past a vector's end,
  # an empty optional dereferenced), which the sanitizers cannot see.
  target_compile_options(hs_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                              -fno-sanitize-recover=undefined -D_GLIBCXX_ASSERTIONS)
  target_link_options(hs_options INTERFACE -fsanitize=address,undefined)
endif()
if(HS_FUZZ)
  # Coverage and sanitizers on every library the fuzz targets link.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
