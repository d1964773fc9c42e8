#include "app/cli.hpp"

int main(int argc, char** argv) {
    return dtwin::app::run_cli(argc, argv);
}
