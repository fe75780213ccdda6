# Third-party dependencies. Everything comes from Debian packages except blst,
# which scripts/setup.sh builds from the npm tarball into third_party/blst.
find_package(PkgConfig REQUIRED)
pkg_check_modules(sodium REQUIRED IMPORTED_TARGET libsodium)
find_package(Threads REQUIRED)

set(HS_BLST_DIR "${PROJECT_SOURCE_DIR}/third_party/blst" CACHE PATH "blst source and build folder")
if(NOT EXISTS "${HS_BLST_DIR}/libblst.a" OR NOT EXISTS "${HS_BLST_DIR}/bindings/blst.h")
  message(FATAL_ERROR "blst not found in ${HS_BLST_DIR}: run scripts/setup.sh first")
endif()
add_library(blst STATIC IMPORTED GLOBAL)
set_target_properties(blst PROPERTIES IMPORTED_LOCATION "${HS_BLST_DIR}/libblst.a")
# SYSTEM: blst's header is C and not ours to warn about.
target_include_directories(blst SYSTEM INTERFACE "${HS_BLST_DIR}/bindings")
add_library(blst::blst ALIAS blst)

if(HS_TESTS)
  find_package(GTest REQUIRED)
  find_package(rapidcheck CONFIG REQUIRED)
endif()
if(HS_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
