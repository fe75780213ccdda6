// The HTML report of the default run, opened in a real browser (Debian's
// headless Chromium): the page loads offline, every plot is in the DOM with
// something drawn in it, and a screenshot shows the plots' colours.

#include <gtest/gtest.h>
#include <png.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int run(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct Rgba {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> pixels;
};

/// Decodes a PNG with libpng's simplified API; empty on failure.
Rgba decode_png(const fs::path& path) {
  Rgba out;
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str())) return out;
  image.format = PNG_FORMAT_RGBA;
  out.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr)) return {};
  out.width = image.width;
  out.height = image.height;
  return out;
}

/// Pixels within a small distance of the colour #rrggbb.
std::size_t count_colour(const Rgba& img, std::uint32_t rgb) {
  std::size_t n = 0;
  int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;
  for (std::size_t i = 0; i + 3 < img.pixels.size(); i += 4)
    if (std::abs(img.pixels[i] - r) < 12 && std::abs(img.pixels[i + 1] - g) < 12 &&
        std::abs(img.pixels[i + 2] - b) < 12)
      ++n;
  return n;
}

class HtmlReport : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hs_html_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(HtmlReport, TheDefaultRunsReportOpensInHeadlessChromiumWithItsPlots) {
  ASSERT_EQ(run("command -v chromium > /dev/null"), 0)
      << "chromium is not installed (scripts/setup.sh installs it)";
  auto html = dir_ / "report.html";
  ASSERT_EQ(run(std::string(HS_SIM_PATH) + " --quiet --html " + html.string() + " > /dev/null"), 0);
  auto text = read(html);
  // Self-contained: nothing to fetch, no script.
  EXPECT_EQ(text.find("<script"), std::string::npos);
  EXPECT_EQ(text.find("src="), std::string::npos);
  EXPECT_EQ(text.find("href="), std::string::npos);

  // Chromium runs offline (no proxy, no network): it must render the file alone.
  std::string chromium =
      "chromium --headless --no-sandbox --disable-gpu --no-proxy-server "
      "--hide-scrollbars --user-data-dir=" +
      (dir_ / "profile").string();
  auto dom = dir_ / "dom.html";
  ASSERT_EQ(run(chromium + " --dump-dom file://" + html.string() + " > " + dom.string() +
                " 2> /dev/null"),
            0);
  auto rendered = read(dom);
  for (const char* id : {"plot-tps", "plot-latency", "plot-heights", "plot-messages", "plot-bytes",
                         "plot-latency-histogram"}) {
    auto at = rendered.find(std::string("<svg id=\"") + id + "\"");
    ASSERT_NE(at, std::string::npos) << id << " is not in the rendered page";
    auto end = rendered.find("</svg>", at);
    auto body = rendered.substr(at, end - at);
    EXPECT_TRUE(body.find("<path d=\"M") != std::string::npos ||
                body.find("<rect x=") != std::string::npos)
        << id << " has nothing drawn";
  }

  auto shot = dir_ / "shot.png";
  ASSERT_EQ(run(chromium + " --window-size=1100,3200 --screenshot=" + shot.string() + " file://" +
                html.string() + " > /dev/null 2>&1"),
            0);
  auto img = decode_png(shot);
  ASSERT_EQ(img.width, 1100u) << "the screenshot did not decode";
  ASSERT_EQ(img.height, 3200u);
  // The TPS, latency and height lines and the message bars (blue), the
  // bytes bars (green) and the latency histogram (purple) are on screen.
  EXPECT_GT(count_colour(img, 0x1f77b4), 2'000u);
  EXPECT_GT(count_colour(img, 0x2ca02c), 500u);
  EXPECT_GT(count_colour(img, 0x9467bd), 500u);
}

}  // namespace
