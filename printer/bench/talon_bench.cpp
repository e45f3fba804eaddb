// talon_bench: how long making a talon takes (median and p99) and how big its PDF is, for the
// 80 mm roll and for A4. Not a test: the figures go to docs/benchmarks.md.
// Usage: talon_bench [talons [folder]]   (default 1000 of each; folder: write roll80.pdf and
// a4.pdf there, to look at)
#include "printer/talon.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// A Kazakh and Russian talon as the kiosk makes it (tests keep real ones in
// build/artifacts/talons): service, provider, addressee, the duty specialist, the time limit
// framed, the authenticity code, a QR code to the public status page with its short address.
printer::Talon sample() {
    printer::Talon t;
    t.office = "Ақмола облысы әкімдігі / Акимат Акмолинской области";
    t.title = {"ШАҒЫМДЫ ҚАБЫЛДАУ ТАЛОНЫ", "ТАЛОН О ПРИЁМЕ ЖАЛОБЫ"};
    t.number_label = {"Тіркеу нөмірі", "Регистрационный номер"};
    t.number = "ЖТ-2026-00000742";
    t.lines = {
        {{"Қабылданған күні мен уақыты", "Дата и время приёма"}, "03.12.2026 10:15"},
        {{"Мемлекеттік көрсетілетін қызмет", "Государственная услуга"},
         "Қазақстан Республикасы азаматтарын тұрғылықты жері бойынша тіркеу\n"
         "Регистрация по месту жительства граждан Республики Казахстан"},
        {{"Көрсетілетін қызметті беруші", "Услугодатель"},
         "Қазақстан Республикасы Ішкі істер министрлігі\n"
         "Министерство внутренних дел Республики Казахстан"},
        {{"Адресат", "Адресат"},
         "Көрсетілетін қызметті берушінің (қызметті көрсеткен ұйымның) басшысына / "
         "Руководителю услугодателя (организации, оказавшей услугу)"},
        {{"Өтініш беруші", "Заявитель"}, "Әбілқасымова А. Қ."},
        {{"Шағымды қабылдады", "Жалобу принял"},
         "KSK-AKM-001 киоскі арқылы, кезекші маман Кенжебаева Г. С.\n"
         "через киоск KSK-AKM-001, дежурный специалист Кенжебаева Г. С."},
        {{"Қарау мерзімі", "Срок рассмотрения"},
         "10.12.2026 дейін: тіркелген күннен бастап 5 жұмыс күні («Мемлекеттік көрсетілетін "
         "қызметтер туралы» Заңның 25-бабы)\nдо 10.12.2026: 5 рабочих дней со дня регистрации "
         "(статья 25 Закона РК «О государственных услугах»)",
         true},
        {{"Талонның түпнұсқалығын тексеру коды", "Код проверки подлинности талона"},
         "6R2W FQNR 4SZK NCGJ UUGQ GH5I UYVZ T7U5 OQ5Y 56EQ 5A4J LHIC X3PO NHYS 2ZNS QQDQ 5L5X "
         "YQES 6WVK ZVNR JJIZ OQ46 DF64 2V2N 3P24 WAI"},
    };
    t.footer = {
        "Шағымның қаралу барысын көрсетілетін қызметті берушінің кеңсесіндегі лауазымды адамдар "
        "айтады. Оны киоскіде талондағы нөмір бойынша да тексеруге болады.",
        "О ходе рассмотрения жалобы сообщают должностные лица канцелярии услугодателя. Его также "
        "можно проверить на киоске по номеру с талона.",
        "Шағымдану тәртібі туралы ақпарат: «Электрондық үкіметтің» ақпараттық-анықтамалық "
        "қызметінің call-орталығы, 1414, 8-800-080-7777 (қоңырау тегін).",
        "Информация о порядке обжалования: call-центр информационно-справочной службы "
        "«электронного правительства», 1414, 8-800-080-7777 (звонок бесплатный).",
        "Қызмет нәтижесімен келіспеген жағдайда сотқа жүгінуге құқылысыз.",
        "Вы вправе обратиться в суд, если не согласны с результатом услуги."};
    t.qr_url =
        "https://talon.akmo.gov.kz/s/%D0%96%D0%A2-2026-00000742?k=KSK-AKM-001&t=202612031015"
        "&a=provider_head&c=7QHV5WILE34GEL6WMTY2ORSNDQVKKMB6PXYSZFRWW7XRF6IOP4HJ6B74GSKWEQ2L7EF5"
        "IDMK4YPHV6S46WJDHWPP6VAF7UVDGNMAUBY";
    t.qr_caption = "talon.akmo.gov.kz/s/ЖТ-2026-00000742";
    return t;
}

void write(const std::string& path, const std::vector<unsigned char>& pdf) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(pdf.data()), static_cast<std::streamsize>(pdf.size()));
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

void measure(const char* paper, const printer::TalonStyle& style, int talons,
             const std::string& folder) {
    const printer::Talon talon = sample();
    const auto first = printer::render_talon(talon, style);  // warms the file cache
    if (!folder.empty()) write(folder + "/" + paper + ".pdf", first);
    std::size_t bytes = first.size();
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(talons));
    for (int i = 0; i < talons; ++i) {
        const auto start = std::chrono::steady_clock::now();
        bytes = printer::render_talon(talon, style).size();
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    std::sort(ms.begin(), ms.end());
    const auto at = [&](double q) {
        return ms[static_cast<std::size_t>(std::ceil(q * static_cast<double>(ms.size()))) - 1];
    };
    std::printf("%-8s talons %d  median %.2f ms  p99 %.2f ms  max %.2f ms  PDF %zu bytes\n", paper,
                talons, at(0.5), at(0.99), ms.back(), bytes);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const int talons = argc > 1 ? std::stoi(argv[1]) : 1000;
        if (talons < 1) throw std::invalid_argument("talons must be at least 1");
        const std::string folder = argc > 2 ? argv[2] : "";
        measure("roll80", printer::TalonStyle::roll80(KIOSK_FONT), talons, folder);
        measure("a4", printer::TalonStyle::a4(KIOSK_FONT), talons, folder);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "talon_bench: %s\n", e.what());
        return 1;
    }
}
